package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

/**
 * A pool's guards against its own replicas' failures ({@code resilience:} in a pool).
 *
 * @param circuitBreaker each replica's circuit breaker
 */
public record ResilienceConfig(BreakerConfig circuitBreaker) {

  public static final ResilienceConfig DEFAULT = new ResilienceConfig(BreakerConfig.DEFAULT);

  public ResilienceConfig {
    requireNonNull(circuitBreaker, "circuitBreaker");
  }
}
