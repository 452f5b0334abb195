package dev.spillway.gateway.api.bedrock;

import java.util.Optional;

/** The Bedrock Runtime operations the gateway serves, each at {@code POST /model/{modelId}/<path>}. */
public enum BedrockOperation {
  CONVERSE("converse", false, false),
  CONVERSE_STREAM("converse-stream", false, true),
  INVOKE_MODEL("invoke", true, false),
  INVOKE_MODEL_WITH_RESPONSE_STREAM("invoke-with-response-stream", true, true);

  private final String path;
  private final boolean invoke;
  private final boolean stream;

  BedrockOperation(String path, boolean invoke, boolean stream) {
    this.path = path;
    this.invoke = invoke;
    this.stream = stream;
  }

  /** The last path segment: {@code converse}, {@code converse-stream}, ... */
  public String path() {
    return path;
  }

  /** True for InvokeModel and its streaming twin: bodies in the model's native format. */
  public boolean invoke() {
    return invoke;
  }

  /** True when the answer is an event stream. */
  public boolean stream() {
    return stream;
  }

  /** The operation served at {@code path}, if any. */
  public static Optional<BedrockOperation> ofPath(String path) {
    for (BedrockOperation operation : values()) {
      if (operation.path.equals(path)) {
        return Optional.of(operation);
      }
    }
    return Optional.empty();
  }
}
