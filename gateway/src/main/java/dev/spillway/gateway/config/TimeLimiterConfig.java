package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How long an attempt on one of a pool's replicas may take ({@code resilience.timeLimiter}): until its
 * first token, and in all. An attempt past its first-token deadline is cancelled and counts as a
 * failure before the first token (so it is retried, and its replica's breaker hears of it); one past
 * its total deadline is cancelled and ends its request with a timeout.
 *
 * @param firstTokenSloMultiple the first-token deadline as a multiple of the request's TTFT objective
 *     (its own, or its tier's); used when {@code firstToken} is empty
 * @param firstToken a fixed first-token deadline instead; empty to follow the objective
 * @param total the longest an attempt may run, from binding to its last token
 */
public record TimeLimiterConfig(double firstTokenSloMultiple, Optional<Duration> firstToken, Duration total) {

  /** Ten times the tier's TTFT objective (30 s for the default tier), and 30 minutes in all. */
  public static final TimeLimiterConfig DEFAULT =
      new TimeLimiterConfig(10, Optional.empty(), Duration.ofMinutes(30));

  public TimeLimiterConfig {
    requireNonNull(firstToken, "firstToken");
    requireNonNull(total, "total");
    if (firstToken.isEmpty() && !(firstTokenSloMultiple > 0)) {
      throw new IllegalArgumentException(
          "firstToken: " + firstTokenSloMultiple + "x (expected: a multiple > 0)");
    }
  }

  /** The first-token deadline, from binding, of a request whose TTFT objective is {@code sloTtft}. */
  public long firstTokenNanos(Duration sloTtft) {
    if (firstToken.isPresent()) {
      return firstToken.get().toNanos();
    }
    double nanos = sloTtft.toNanos() * firstTokenSloMultiple;
    return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
  }
}
