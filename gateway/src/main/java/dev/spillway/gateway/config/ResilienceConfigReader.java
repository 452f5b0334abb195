package dev.spillway.gateway.config;

import java.time.Duration;
import java.util.Optional;

/** A pool's {@code resilience:} block, read and checked: breaker, retries, bulkhead and time limiter. */
final class ResilienceConfigReader {

  private ResilienceConfigReader() {}

  /** A pool's {@code resilience} block; every field optional, with {@link ResilienceConfig#DEFAULT}'s values. */
  static ResilienceConfig resilience(ConfigNode node) {
    if (node.missing()) {
      return ResilienceConfig.DEFAULT;
    }
    node.allowOnly("circuitBreaker", "retry", "bulkhead", "timeLimiter");
    ConfigNode bulkhead = node.child("bulkhead");
    bulkhead.allowOnly("maxConcurrent");
    return new ResilienceConfig(
        breaker(node.child("circuitBreaker")), retry(node.child("retry")),
        new BulkheadConfig(bulkhead.child("maxConcurrent").integer(0, 0, 1_000_000)),
        timeLimiter(node.child("timeLimiter")));
  }

  /** {@code firstToken}: a multiple of the TTFT objective ({@code 10x}) or a duration; {@code total}: a duration. */
  private static TimeLimiterConfig timeLimiter(ConfigNode node) {
    TimeLimiterConfig d = TimeLimiterConfig.DEFAULT;
    if (node.missing()) {
      return d;
    }
    node.allowOnly("firstToken", "total");
    ConfigNode first = node.child("firstToken");
    double multiple = d.firstTokenSloMultiple();
    Optional<Duration> fixed = d.firstToken();
    if (!first.missing()) {
      String text = first.text(null).trim();
      if (text.endsWith("x")) {
        try {
          multiple = Double.parseDouble(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
          multiple = -1;
        }
        if (!(multiple > 0) || Double.isInfinite(multiple)) {
          throw new IllegalArgumentException(
              first.path + ": " + text + " (expected: a multiple of the TTFT objective such as 10x, or a duration)");
        }
        fixed = Optional.empty();
      } else {
        fixed = Optional.of(first.duration(null));
      }
    }
    return new TimeLimiterConfig(multiple, fixed, node.child("total").duration(d.total()));
  }

  private static BreakerConfig breaker(ConfigNode cb) {
    BreakerConfig d = BreakerConfig.DEFAULT;
    if (cb.missing()) {
      return d;
    }
    cb.allowOnly(
        "failureRateThreshold", "slowCallDurationThreshold", "slowCallRateThreshold",
        "minimumNumberOfCalls", "slidingWindowSize", "waitDurationInOpenState",
        "permittedCallsInHalfOpenState");
    int window = cb.child("slidingWindowSize").integer(d.slidingWindowSize(), 1, 100_000);
    ConfigNode minNode = cb.child("minimumNumberOfCalls");
    int min = minNode.integer(Math.min(d.minimumNumberOfCalls(), window), 1, 100_000);
    if (min > window) {
      throw new IllegalArgumentException(
          minNode.path + ": " + min + " (expected: from 1 to slidingWindowSize " + window + ")");
    }
    return new BreakerConfig(
        cb.child("failureRateThreshold").integer((int) d.failureRateThreshold(), 1, 100),
        cb.child("slowCallDurationThreshold").duration(d.slowCallDurationThreshold()),
        cb.child("slowCallRateThreshold").integer((int) d.slowCallRateThreshold(), 1, 100),
        min,
        window,
        cb.child("waitDurationInOpenState").duration(d.waitDurationInOpenState()),
        cb.child("permittedCallsInHalfOpenState").integer(d.permittedCallsInHalfOpenState(), 1, 10_000));
  }

  private static RetryConfig retry(ConfigNode node) {
    RetryConfig d = RetryConfig.DEFAULT;
    if (node.missing()) {
      return d;
    }
    node.allowOnly(
        "maxAttempts", "initialBackoff", "maxBackoff", "budgetPercent", "minRetriesPerSecond",
        "budgetWindow");
    Duration initial = node.child("initialBackoff").duration(d.initialBackoff());
    ConfigNode maxNode = node.child("maxBackoff");
    Duration max = maxNode.duration(initial.compareTo(d.maxBackoff()) > 0 ? initial : d.maxBackoff());
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          maxNode.path + ": " + maxNode.describe() + " (expected: >= initialBackoff)");
    }
    ConfigNode windowNode = node.child("budgetWindow");
    Duration window = windowNode.duration(d.budgetWindow());
    if (window.toMillis() < 100) {
      throw new IllegalArgumentException(windowNode.path + ": " + windowNode.describe() + " (expected: >= 100ms)");
    }
    return new RetryConfig(
        node.child("maxAttempts").integer(d.maxAttempts(), 1, 10),
        initial,
        max,
        node.child("budgetPercent").integer(d.budgetPercent(), 0, 100),
        node.child("minRetriesPerSecond").integer(d.minRetriesPerSecond(), 0, 1_000_000),
        window);
  }
}
