package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When a replica's circuit breaker opens and how it recovers. Outcomes are counted over the last
 * {@code slidingWindowSize} attempts on the replica, once it has seen {@code minimumNumberOfCalls};
 * a call is slow when its first token came more than {@code slowCallDurationThreshold} after
 * binding. Open, the replica gets no requests for {@code waitDurationInOpenState}; then
 * {@code permittedCallsInHalfOpenState} probes decide whether it closes or opens again.
 *
 * @param failureRateThreshold percent of failed attempts that opens the breaker, above 0 and at most 100
 * @param slowCallRateThreshold percent of slow attempts that opens the breaker, above 0 and at most 100
 */
public record BreakerConfig(
    float failureRateThreshold,
    Duration slowCallDurationThreshold,
    float slowCallRateThreshold,
    int minimumNumberOfCalls,
    int slidingWindowSize,
    Duration waitDurationInOpenState,
    int permittedCallsInHalfOpenState) {

  /** Opens at half the last 20 attempts failed (10 at least), or all of them slower than 30 s to a first token. */
  public static final BreakerConfig DEFAULT =
      new BreakerConfig(50, Duration.ofSeconds(30), 100, 10, 20, Duration.ofSeconds(30), 3);

  public BreakerConfig {
    requireNonNull(slowCallDurationThreshold, "slowCallDurationThreshold");
    requireNonNull(waitDurationInOpenState, "waitDurationInOpenState");
    percent("failureRateThreshold", failureRateThreshold);
    percent("slowCallRateThreshold", slowCallRateThreshold);
    if (slowCallDurationThreshold.isNegative() || slowCallDurationThreshold.isZero()) {
      throw new IllegalArgumentException(
          "slowCallDurationThreshold: " + slowCallDurationThreshold + " (expected: > 0)");
    }
    if (waitDurationInOpenState.isNegative() || waitDurationInOpenState.isZero()) {
      throw new IllegalArgumentException(
          "waitDurationInOpenState: " + waitDurationInOpenState + " (expected: > 0)");
    }
    if (slidingWindowSize < 1) {
      throw new IllegalArgumentException("slidingWindowSize: " + slidingWindowSize + " (expected: >= 1)");
    }
    if (minimumNumberOfCalls < 1 || minimumNumberOfCalls > slidingWindowSize) {
      throw new IllegalArgumentException(
          "minimumNumberOfCalls: " + minimumNumberOfCalls + " (expected: from 1 to slidingWindowSize "
              + slidingWindowSize + ")");
    }
    if (permittedCallsInHalfOpenState < 1) {
      throw new IllegalArgumentException(
          "permittedCallsInHalfOpenState: " + permittedCallsInHalfOpenState + " (expected: >= 1)");
    }
  }

  private static void percent(String name, float value) {
    if (!(value > 0 && value <= 100)) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0 and <= 100)");
    }
  }
}
