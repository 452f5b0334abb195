package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * One request as the API layer hands it to the core: already parsed, validated and tokenised.
 *
 * @param id the request id (also the {@code x-request-id} header)
 * @param model the model name or alias the client asked for
 * @param promptTokens prompt tokens counted with a BPE tokenizer
 * @param maxOutputTokens the most tokens to generate; 1 for embeddings
 * @param prompt the prompt text (upstream backends send it on)
 * @param prefixHash a hash of the prompt's first characters, for prefix affinity
 * @param slo the request's own latency objective, overriding the model's for its tier
 * @param embedding true for an embeddings request: prefill only, no text returned
 * @param tenant whom the request is served for: the key's tenant when the gateway has keys, else
 *     what the client named ({@code x-spillway-tenant} or {@code user})
 * @param canonical the request as the client sent it, in a canonical form, for the response cache:
 *     everything that shapes the answer besides the tenant, the output budget and the sampling
 *     parameters (for OpenAI chat, the endpoint and the messages with their roles). Two requests
 *     with the same canonical form, tenant, budget and sampling get the same answer. Empty when the
 *     front end gives none: the request is then never cached
 * @param keyId the id of the API key the request came with; empty when the gateway is open
 * @param output what the answer is to be: text, JSON or tool calls
 * @param pools the pools the request may run on (a Bedrock inference profile's regions); empty: any
 *     of its model's pools
 */
public record GatewayRequest(
    String id,
    String model,
    int promptTokens,
    int maxOutputTokens,
    String prompt,
    long prefixHash,
    SamplingParams sampling,
    ServiceTier tier,
    String tenant,
    Optional<Slo> slo,
    boolean embedding,
    String canonical,
    String keyId,
    OutputSpec output,
    Set<String> pools) {

  public GatewayRequest {
    pools = Set.copyOf(requireNonNull(pools, "pools"));
    requireNonNull(id, "id");
    requireNonNull(model, "model");
    requireNonNull(prompt, "prompt");
    requireNonNull(sampling, "sampling");
    requireNonNull(tier, "tier");
    requireNonNull(tenant, "tenant");
    requireNonNull(slo, "slo");
    requireNonNull(canonical, "canonical");
    requireNonNull(keyId, "keyId");
    requireNonNull(output, "output");
    if (promptTokens < 1) {
      throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 1)");
    }
    if (maxOutputTokens < 1) {
      throw new IllegalArgumentException("maxOutputTokens: " + maxOutputTokens + " (expected: >= 1)");
    }
  }

  /** A request that may run on any pool of its model. */
  public GatewayRequest(
      String id,
      String model,
      int promptTokens,
      int maxOutputTokens,
      String prompt,
      long prefixHash,
      SamplingParams sampling,
      ServiceTier tier,
      String tenant,
      Optional<Slo> slo,
      boolean embedding,
      String canonical,
      String keyId,
      OutputSpec output) {
    this(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, tier, tenant, slo,
        embedding, canonical, keyId, output, Set.of());
  }

  /** A request for free text. */
  public GatewayRequest(
      String id,
      String model,
      int promptTokens,
      int maxOutputTokens,
      String prompt,
      long prefixHash,
      SamplingParams sampling,
      ServiceTier tier,
      String tenant,
      Optional<Slo> slo,
      boolean embedding,
      String canonical,
      String keyId) {
    this(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, tier, tenant, slo,
        embedding, canonical, keyId, OutputSpec.TEXT);
  }

  /** A request without a canonical form (never cached) that came without a key. */
  public GatewayRequest(
      String id,
      String model,
      int promptTokens,
      int maxOutputTokens,
      String prompt,
      long prefixHash,
      SamplingParams sampling,
      ServiceTier tier,
      String tenant,
      Optional<Slo> slo,
      boolean embedding) {
    this(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, tier, tenant, slo,
        embedding, "");
  }

  /** A request that came without a key: the gateway is open, or the key is not known yet. */
  public GatewayRequest(
      String id,
      String model,
      int promptTokens,
      int maxOutputTokens,
      String prompt,
      long prefixHash,
      SamplingParams sampling,
      ServiceTier tier,
      String tenant,
      Optional<Slo> slo,
      boolean embedding,
      String canonical) {
    this(
        id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling, tier, tenant, slo,
        embedding, canonical, "");
  }

  /**
   * Whether sampling with {@code sampling} gives one answer only: greedy decoding (temperature 0) or
   * a fixed seed. Only such requests are cached.
   */
  public static boolean deterministic(SamplingParams sampling) {
    return sampling.temperature() == 0 || sampling.seed().isPresent();
  }

  /** The same request, made with the key {@code newKeyId} of {@code newTenant}. */
  public GatewayRequest withIdentity(String newTenant, String newKeyId) {
    return new GatewayRequest(id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling,
        tier, newTenant, slo, embedding, canonical, newKeyId, output, pools);
  }

  /** The same request, held to {@code newPools} of its model's pools. */
  public GatewayRequest withPools(Set<String> newPools) {
    return new GatewayRequest(id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling,
        tier, tenant, slo, embedding, canonical, keyId, output, newPools);
  }

  /** Whether the request may run on {@code pool}. */
  public boolean allowsPool(String pool) {
    return pools.isEmpty() || pools.contains(pool);
  }

  /** The same request asking for {@code newOutput}. */
  public GatewayRequest withOutput(OutputSpec newOutput) {
    return new GatewayRequest(id, model, promptTokens, maxOutputTokens, prompt, prefixHash, sampling,
        tier, tenant, slo, embedding, canonical, keyId, newOutput, pools);
  }

  /** A latency objective: time to first token and time per output token. */
  public record Slo(Duration ttft, Duration tpot) {
    public Slo {
      requireNonNull(ttft, "ttft");
      requireNonNull(tpot, "tpot");
      if (ttft.isNegative() || ttft.isZero() || tpot.isNegative() || tpot.isZero()) {
        throw new IllegalArgumentException("slo: " + ttft + "/" + tpot + " (expected: > 0)");
      }
    }
  }
}
