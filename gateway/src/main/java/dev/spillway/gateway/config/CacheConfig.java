package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A model's response cache: exact-match answers to deterministic requests, kept {@code ttl} after
 * they were stored, at most {@code maxEntries} of them.
 *
 * @param ttl how long an answer is served after it was stored
 * @param maxEntries the most answers kept; beyond it the least useful are evicted
 */
public record CacheConfig(Duration ttl, int maxEntries) {

  /** {@code cache: {}}: ten minutes, ten thousand answers. */
  public static final CacheConfig DEFAULT = new CacheConfig(Duration.ofMinutes(10), 10_000);

  public CacheConfig {
    requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
  }
}
