package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One logical model and its pools.
 *
 * @param routing the routing policy's name (see {@code RoutingPolicies})
 * @param queueCapacity bound on queued requests per tier; a full tier answers 429
 * @param maxQueueWait the longest a request may wait in the gateway before it fails with 503
 * @param slos the latency objective per tier, for SLO-aware routing
 * @param defaultMaxTokens output tokens when a request sets no limit
 * @param embeddingDimensions vector size for embedding models; 0 for generative ones
 * @param cache the response cache for deterministic requests; empty for none
 * @param fallbacks other models, by name, that take a request in this order when every attempt on
 *     this model's pools failed before the client saw anything
 */
public record ModelConfig(
    String name,
    List<String> aliases,
    String routing,
    Map<ServiceTier, Integer> queueCapacity,
    Duration maxQueueWait,
    Map<ServiceTier, Slo> slos,
    int defaultMaxTokens,
    int embeddingDimensions,
    List<PoolConfig> pools,
    Optional<CacheConfig> cache,
    List<String> fallbacks) {

  public ModelConfig {
    requireNonNull(name, "name");
    aliases = List.copyOf(aliases);
    requireNonNull(routing, "routing");
    queueCapacity = Map.copyOf(queueCapacity);
    requireNonNull(maxQueueWait, "maxQueueWait");
    slos = Map.copyOf(slos);
    pools = List.copyOf(pools);
    requireNonNull(cache, "cache");
    fallbacks = List.copyOf(fallbacks);
    if (cache.isPresent() && embeddingDimensions > 0) {
      throw new IllegalArgumentException(
          "cache: " + cache.get() + " (expected: none on an embedding model)");
    }
  }

  /** A model without a response cache. */
  public ModelConfig(
      String name,
      List<String> aliases,
      String routing,
      Map<ServiceTier, Integer> queueCapacity,
      Duration maxQueueWait,
      Map<ServiceTier, Slo> slos,
      int defaultMaxTokens,
      int embeddingDimensions,
      List<PoolConfig> pools) {
    this(
        name, aliases, routing, queueCapacity, maxQueueWait, slos, defaultMaxTokens,
        embeddingDimensions, pools, Optional.empty(), List.of());
  }

  public boolean embedding() {
    return embeddingDimensions > 0;
  }
}
