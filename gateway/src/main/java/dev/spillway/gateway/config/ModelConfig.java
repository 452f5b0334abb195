package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One logical model and its pools.
 *
 * @param routing the routing policy's name (see {@code RoutingPolicies})
 * @param queueCapacity bound on queued requests per tier; a full tier answers 429
 * @param maxQueueWait the longest a request may wait in the gateway before it fails with 503
 * @param slos the latency objective per tier, for SLO-aware routing
 * @param defaultMaxTokens output tokens when a request sets no limit
 * @param embeddingDimensions vector size for embedding models; 0 for generative ones
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
    List<PoolConfig> pools) {

  public ModelConfig {
    requireNonNull(name, "name");
    aliases = List.copyOf(aliases);
    requireNonNull(routing, "routing");
    queueCapacity = Map.copyOf(queueCapacity);
    requireNonNull(maxQueueWait, "maxQueueWait");
    slos = Map.copyOf(slos);
    pools = List.copyOf(pools);
  }

  public boolean embedding() {
    return embeddingDimensions > 0;
  }
}
