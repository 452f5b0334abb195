package dev.spillway.gateway.core;

import dev.spillway.gateway.config.RetryConfig;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One pool's retry budget and backoff: whether a request that failed there before its first token may
 * be tried again, and after how long.
 *
 * <p>Implementation notes. The budget is Finagle's: requests deposit, retries withdraw. Over the last
 * {@code budgetWindow}, counted in ten buckets of a tenth of it each, the retries granted stay below
 * {@code budgetPercent}% of the requests the pool took plus {@code minRetriesPerSecond} × the window,
 * so that when every attempt fails retries add a bounded share of load instead of multiplying it by
 * the attempts allowed. The backoff before the n-th retry is {@code initialBackoff · 2ⁿ⁻¹}, at most
 * {@code maxBackoff}, drawn uniformly from its upper half (equal jitter: never zero, and retries of
 * requests that failed together spread out). The random source is seeded by the caller. Used on the
 * model's thread only.
 */
final class RetryBudget {

  private static final int BUCKETS = 10;

  private final RetryConfig config;
  private final long bucketNanos;
  private final double floor;
  /** Each bucket's epoch (time / bucketNanos) and counts; a bucket of an older epoch is stale. */
  private final long[] epochs = new long[BUCKETS];
  private final int[] requests = new int[BUCKETS];
  private final int[] retries = new int[BUCKETS];

  RetryBudget(RetryConfig config) {
    this.config = config;
    this.bucketNanos = Math.max(1, config.budgetWindow().toNanos() / BUCKETS);
    this.floor = config.minRetriesPerSecond() * (config.budgetWindow().toNanos() / 1e9);
    Arrays.fill(epochs, Long.MIN_VALUE);
  }

  RetryConfig config() {
    return config;
  }

  /** A request's first attempt went to the pool at {@code nowNanos}. */
  void deposit(long nowNanos) {
    requests[bucket(nowNanos)]++;
  }

  /**
   * Whether a request whose attempt {@code attempts} failed may be tried again at {@code nowNanos};
   * if so the retry is counted against the budget.
   */
  Decision withdraw(int attempts, long nowNanos) {
    if (attempts >= config.maxAttempts()) {
      return Decision.ATTEMPTS_SPENT;
    }
    long epoch = Math.floorDiv(nowNanos, bucketNanos);
    long requested = 0;
    long retried = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (epochs[i] > epoch - BUCKETS) {
        requested += requests[i];
        retried += retries[i];
      }
    }
    if (retried + 1 > requested * config.budgetPercent() / 100.0 + floor) {
      return Decision.BUDGET_SPENT;
    }
    retries[bucket(nowNanos)]++;
    return Decision.RETRY;
  }

  /** What {@link #withdraw} decided. */
  enum Decision {
    RETRY,
    ATTEMPTS_SPENT,
    BUDGET_SPENT
  }

  /** How long to wait before the retry that follows attempt {@code attempts} (from 1). */
  long backoffNanos(int attempts, SplittableRandom random) {
    long max = config.maxBackoff().toNanos();
    long base = config.initialBackoff().toNanos();
    long backoff = Math.min(base, max);
    for (int i = 1; i < attempts && backoff < max; i++) {
      backoff = Math.min(max, backoff * 2);
    }
    long half = backoff / 2;
    return half + random.nextLong(backoff - half + 1);
  }

  private int bucket(long nowNanos) {
    long epoch = Math.floorDiv(nowNanos, bucketNanos);
    int i = (int) Math.floorMod(epoch, (long) BUCKETS);
    if (epochs[i] != epoch) {
      epochs[i] = epoch;
      requests[i] = 0;
      retries[i] = 0;
    }
    return i;
  }
}
