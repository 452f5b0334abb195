package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

/**
 * A pool's guards against its own replicas' failures ({@code resilience:} in a pool).
 *
 * @param circuitBreaker each replica's circuit breaker
 * @param retry how failures on the pool's replicas before a first token are retried
 * @param bulkhead the most requests in flight on each replica
 * @param timeLimiter each attempt's deadlines: to its first token, and in all
 */
public record ResilienceConfig(
    BreakerConfig circuitBreaker, RetryConfig retry, BulkheadConfig bulkhead, TimeLimiterConfig timeLimiter) {

  public static final ResilienceConfig DEFAULT =
      new ResilienceConfig(
          BreakerConfig.DEFAULT, RetryConfig.DEFAULT, BulkheadConfig.DEFAULT, TimeLimiterConfig.DEFAULT);

  public ResilienceConfig {
    requireNonNull(circuitBreaker, "circuitBreaker");
    requireNonNull(retry, "retry");
    requireNonNull(bulkhead, "bulkhead");
    requireNonNull(timeLimiter, "timeLimiter");
  }

  /** The default time limiter. */
  public ResilienceConfig(BreakerConfig circuitBreaker, RetryConfig retry, BulkheadConfig bulkhead) {
    this(circuitBreaker, retry, bulkhead, TimeLimiterConfig.DEFAULT);
  }

  /** The default bulkhead. */
  public ResilienceConfig(BreakerConfig circuitBreaker, RetryConfig retry) {
    this(circuitBreaker, retry, BulkheadConfig.DEFAULT);
  }
}
