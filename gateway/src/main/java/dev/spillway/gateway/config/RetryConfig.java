package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How requests that fail on a pool's replica before their first token are tried again: up to
 * {@code maxAttempts} attempts in all, the n-th retry after a backoff of {@code initialBackoff · 2ⁿ⁻¹}
 * (at most {@code maxBackoff}) with jitter, and only while the pool's retry budget lasts: over the
 * last {@code budgetWindow}, retries may add at most {@code budgetPercent} of the requests the pool
 * took, plus {@code minRetriesPerSecond} for a pool with little traffic.
 */
public record RetryConfig(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    int budgetPercent,
    int minRetriesPerSecond,
    Duration budgetWindow) {

  /** One retry, as before budgets; 20% of requests plus one a second over 10 s. */
  public static final RetryConfig DEFAULT =
      new RetryConfig(2, Duration.ofMillis(25), Duration.ofSeconds(1), 20, 1, Duration.ofSeconds(10));

  public RetryConfig {
    requireNonNull(initialBackoff, "initialBackoff");
    requireNonNull(maxBackoff, "maxBackoff");
    requireNonNull(budgetWindow, "budgetWindow");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("initialBackoff: " + initialBackoff + " (expected: >= 0)");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff: " + maxBackoff + " (expected: >= initialBackoff " + initialBackoff + ")");
    }
    if (budgetPercent < 0 || budgetPercent > 100) {
      throw new IllegalArgumentException("budgetPercent: " + budgetPercent + " (expected: from 0 to 100)");
    }
    if (minRetriesPerSecond < 0) {
      throw new IllegalArgumentException(
          "minRetriesPerSecond: " + minRetriesPerSecond + " (expected: >= 0)");
    }
    if (budgetWindow.toMillis() < 100) {
      throw new IllegalArgumentException("budgetWindow: " + budgetWindow + " (expected: >= 100ms)");
    }
  }
}
