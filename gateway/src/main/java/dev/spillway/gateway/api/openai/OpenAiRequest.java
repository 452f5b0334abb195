package dev.spillway.gateway.api.openai;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.core.GatewayRequest;
import java.util.List;
import java.util.Optional;

/**
 * One parsed and validated OpenAI request: the core request, and what the response writer needs that
 * the core does not carry.
 *
 * @param core the request for the core; its {@code model} is the name as the client sent it, echoed
 *     in responses
 * @param model the resolved model
 * @param stream answer with SSE chunks
 * @param includeUsage {@code stream_options.include_usage}: a usage chunk before {@code [DONE]}
 * @param continuousUsage {@code stream_options.continuous_usage_stats} (vLLM): running usage on every
 *     chunk; only with {@code includeUsage}
 * @param embeddingOptions present for {@link Endpoint#EMBEDDINGS} only
 * @param responseEcho for {@link Endpoint#RESPONSES}: the request's settings a {@code response}
 *     object repeats, as JSON object members ({@code "instructions":…,"tools":[…],…}); else empty
 */
public record OpenAiRequest(
    Endpoint endpoint,
    GatewayRequest core,
    Gateway.ModelInfo model,
    boolean stream,
    boolean includeUsage,
    boolean continuousUsage,
    Optional<EmbeddingOptions> embeddingOptions,
    String responseEcho) {

  /** A request of any endpoint but {@link Endpoint#RESPONSES}. */
  public OpenAiRequest(
      Endpoint endpoint, GatewayRequest core, Gateway.ModelInfo model, boolean stream,
      boolean includeUsage, boolean continuousUsage, Optional<EmbeddingOptions> embeddingOptions) {
    this(endpoint, core, model, stream, includeUsage, continuousUsage, embeddingOptions, "");
  }

  public OpenAiRequest {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(core, "core");
    requireNonNull(model, "model");
    requireNonNull(embeddingOptions, "embeddingOptions");
    requireNonNull(responseEcho, "responseEcho");
    if (embeddingOptions.isPresent() != (endpoint == Endpoint.EMBEDDINGS)) {
      throw new IllegalArgumentException(
          "embeddingOptions: " + embeddingOptions + " (expected: present for embeddings only)");
    }
  }

  /** The same request with another core request (its identity set after authentication). */
  public OpenAiRequest withCore(GatewayRequest newCore) {
    return new OpenAiRequest(
        endpoint, newCore, model, stream, includeUsage, continuousUsage, embeddingOptions,
        responseEcho);
  }

  /**
   * What an embeddings response is made of.
   *
   * @param inputs one key per input element, in order: its text, or its token ids written out; each
   *     seeds that element's vector
   * @param base64 {@code encoding_format: "base64"}: little-endian float32 bytes, base64-encoded
   * @param dimensions floats per vector
   */
  public record EmbeddingOptions(List<String> inputs, boolean base64, int dimensions) {
    public EmbeddingOptions {
      inputs = List.copyOf(requireNonNull(inputs, "inputs"));
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException("inputs: [] (expected: at least one)");
      }
      if (dimensions < 1) {
        throw new IllegalArgumentException("dimensions: " + dimensions + " (expected: >= 1)");
      }
    }
  }
}
