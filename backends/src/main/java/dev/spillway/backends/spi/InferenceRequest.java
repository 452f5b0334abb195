package dev.spillway.backends.spi;

import static java.util.Objects.requireNonNull;

/**
 * One generation request as a backend sees it: token counts, not text. The gateway has already counted
 * the prompt with a real tokenizer.
 *
 * @param id unique per gateway process; used in logs and to seed deterministic output
 * @param model the logical model name ({@code llama-3.3-70b})
 * @param promptTokens tokens in the prompt, at least 1
 * @param maxOutputTokens the most tokens to generate, at least 1
 * @param prompt the prompt text where the backend needs it (upstreams); may be empty for emulators
 * @param prefixHash a hash of the prompt's leading tokens, for prefix-affinity and prefix caching; 0 if
 *     unknown
 * @param deadlineNanos clock time after which the result is useless, or {@link #NO_DEADLINE}
 * @param output what the output is to be: text, JSON, or tool calls
 */
public record InferenceRequest(
    String id,
    String model,
    int promptTokens,
    int maxOutputTokens,
    String prompt,
    long prefixHash,
    SamplingParams sampling,
    ServiceTier tier,
    String tenant,
    long deadlineNanos,
    OutputSpec output) {

  public static final long NO_DEADLINE = Long.MAX_VALUE;

  public InferenceRequest {
    requireNonNull(id, "id");
    requireNonNull(model, "model");
    requireNonNull(prompt, "prompt");
    requireNonNull(sampling, "sampling");
    requireNonNull(tier, "tier");
    requireNonNull(tenant, "tenant");
    requireNonNull(output, "output");
    if (promptTokens < 1) {
      throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 1)");
    }
    if (maxOutputTokens < 1) {
      throw new IllegalArgumentException("maxOutputTokens: " + maxOutputTokens + " (expected: >= 1)");
    }
  }

  /** A request for free text. */
  public InferenceRequest(
      String id,
      String model,
      int promptTokens,
      int maxOutputTokens,
      String prompt,
      long prefixHash,
      SamplingParams sampling,
      ServiceTier tier,
      String tenant,
      long deadlineNanos) {
    this(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, tier, tenant,
        deadlineNanos, OutputSpec.TEXT);
  }

  /** A request with default sampling, tier and tenant and no deadline: for tests and tools. */
  public static InferenceRequest of(String id, String model, int promptTokens, int maxOutputTokens) {
    return new InferenceRequest(
        id, model, promptTokens, maxOutputTokens, "", 0, SamplingParams.DEFAULT, ServiceTier.DEFAULT,
        "default", NO_DEADLINE);
  }

  public InferenceRequest withTier(ServiceTier newTier) {
    return new InferenceRequest(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, newTier, tenant,
        deadlineNanos, output);
  }

  public InferenceRequest withOutput(OutputSpec newOutput) {
    return new InferenceRequest(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, tier, tenant,
        deadlineNanos, newOutput);
  }
}
