package dev.spillway.gateway.api.openai;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.Answer;
import dev.spillway.backends.wire.JsonText;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.util.List;

/**
 * Writes OpenAI response bodies: {@code chat.completion}, {@code text_completion}, embedding lists and
 * models, each on one line, with every key the spec marks required (the Java SDK throws on a missing
 * one when it is read).
 */
public final class OpenAiResponses {

  /** The {@code owned_by} of every model. */
  static final String OWNER = "spillway";

  private OpenAiResponses() {}

  /** The {@code chat.completion} body of a non-streaming chat response of text. */
  public static String chatCompletion(
      String id, long created, String model, String content, FinishReason reason, Usage usage,
      ServiceTier tier) {
    Answer answer = new Answer(content.length());
    answer.add(new TokenEvent.Token(0, content, 0));
    return chatCompletion(id, created, model, answer, reason, usage, tier);
  }

  /** The {@code chat.completion} body of a non-streaming chat response: content and tool calls. */
  public static String chatCompletion(
      String id, long created, String model, Answer answer, FinishReason reason, Usage usage,
      ServiceTier tier) {
    String content = answer.content();
    // The members around the content come to about 400 characters.
    StringBuilder json = new StringBuilder(448 + content.length() + model.length());
    json.append("{\"id\":");
    JsonText.string(json, id);
    json.append(",\"object\":\"chat.completion\",\"created\":").append(created).append(",\"model\":");
    JsonText.string(json, model);
    json.append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",");
    answer.appendMessageMembers(json);
    json.append(",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":");
    JsonText.string(json, finishReason(reason));
    json.append("}],\"usage\":");
    usage(json, usage);
    json.append(",\"service_tier\":");
    JsonText.string(json, tier.wireName());
    return json.append(",\"system_fingerprint\":null}").toString();
  }

  /** The {@code text_completion} body of a non-streaming {@code /v1/completions} response. */
  public static String textCompletion(
      String id, long created, String model, String text, FinishReason reason, Usage usage) {
    StringBuilder json = new StringBuilder(256 + text.length() + model.length());
    json.append("{\"id\":");
    JsonText.string(json, id);
    json.append(",\"object\":\"text_completion\",\"created\":").append(created).append(",\"model\":");
    JsonText.string(json, model);
    json.append(",\"choices\":[{\"text\":");
    JsonText.string(json, text);
    json.append(",\"index\":0,\"logprobs\":null,\"finish_reason\":");
    JsonText.string(json, finishReason(reason));
    json.append("}],\"usage\":");
    usage(json, usage);
    return json.append('}').toString();
  }

  /**
   * The embeddings list: one vector per input element, in order, as float arrays or base64 strings.
   * Usage has only {@code prompt_tokens} and {@code total_tokens}, as OpenAI's does.
   */
  public static String embeddings(OpenAiRequest request, int promptTokens) {
    OpenAiRequest.EmbeddingOptions options =
        request.embeddingOptions()
            .orElseThrow(() -> new IllegalArgumentException("request: not an embeddings request"));
    String model = request.core().model();
    int dimensions = options.dimensions();
    int full = Math.max(dimensions, request.model().embeddingDimensions());
    List<String> inputs = options.inputs();
    StringBuilder json =
        new StringBuilder(128 + inputs.size() * (64 + dimensions * (options.base64() ? 6 : 12)));
    json.append("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < inputs.size(); i++) {
      // Seeded by the resolved model, so an alias and its model embed alike.
      float[] vector = EmbeddingVectors.vector(request.model().name(), inputs.get(i), full, dimensions);
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":");
      if (options.base64()) {
        json.append('"').append(EmbeddingVectors.base64(vector)).append('"');
      } else {
        json.append('[');
        for (int d = 0; d < vector.length; d++) {
          if (d > 0) {
            json.append(',');
          }
          json.append(vector[d]);
        }
        json.append(']');
      }
      json.append('}');
    }
    json.append("],\"model\":");
    JsonText.string(json, model);
    json.append(",\"usage\":{\"prompt_tokens\":").append(promptTokens)
        .append(",\"total_tokens\":").append(promptTokens);
    return json.append("}}").toString();
  }

  /** {@code GET /v1/models}: every model under its own name. */
  public static String modelList(List<ModelInfo> models) {
    StringBuilder json = new StringBuilder(64 + models.size() * 160);
    json.append("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < models.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      model(json, models.get(i).name(), models.get(i));
    }
    return json.append("]}").toString();
  }

  /**
   * {@code GET /v1/models/{id}}: the model under the id asked for (a name or an alias), with
   * {@code root} its name, which vLLM's bench reads, and {@code max_model_len} its context.
   */
  public static String model(String id, ModelInfo model) {
    return model(new StringBuilder(192), id, model).toString();
  }

  private static StringBuilder model(StringBuilder json, String id, ModelInfo model) {
    json.append("{\"id\":");
    JsonText.string(json, id);
    json.append(",\"object\":\"model\",\"created\":").append(model.created())
        .append(",\"owned_by\":\"").append(OWNER).append("\",\"root\":");
    JsonText.string(json, model.name());
    return json.append(",\"parent\":null,\"max_model_len\":").append(model.contextTokens()).append('}');
  }

  static StringBuilder usage(StringBuilder json, Usage usage) {
    return usage(json, usage.promptTokens(), usage.completionTokens());
  }

  static StringBuilder usage(StringBuilder json, int prompt, int completion) {
    return json.append("{\"prompt_tokens\":").append(prompt)
        .append(",\"completion_tokens\":").append(completion)
        .append(",\"total_tokens\":").append((long) prompt + completion)
        .append('}');
  }

  /** OpenAI's name for why generation ended; a cancelled request reports {@code stop}. */
  static String finishReason(FinishReason reason) {
    switch (reason) {
      case LENGTH:
        return "length";
      case TOOL_CALLS:
        return "tool_calls";
      default:
        return "stop";
    }
  }
}
