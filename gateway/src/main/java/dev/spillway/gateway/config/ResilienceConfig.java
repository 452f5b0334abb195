package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

/**
 * A pool's guards against its own replicas' failures ({@code resilience:} in a pool).
 *
 * @param circuitBreaker each replica's circuit breaker
 * @param retry how failures on the pool's replicas before a first token are retried
 * @param bulkhead the most requests in flight on each replica
 */
public record ResilienceConfig(BreakerConfig circuitBreaker, RetryConfig retry, BulkheadConfig bulkhead) {

  public static final ResilienceConfig DEFAULT =
      new ResilienceConfig(BreakerConfig.DEFAULT, RetryConfig.DEFAULT, BulkheadConfig.DEFAULT);

  public ResilienceConfig {
    requireNonNull(circuitBreaker, "circuitBreaker");
    requireNonNull(retry, "retry");
    requireNonNull(bulkhead, "bulkhead");
  }

  /** The default bulkhead. */
  public ResilienceConfig(BreakerConfig circuitBreaker, RetryConfig retry) {
    this(circuitBreaker, retry, BulkheadConfig.DEFAULT);
  }
}
