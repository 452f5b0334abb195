package dev.spillway.gateway.core;

import dev.spillway.backends.spi.ServiceTier;
import java.time.Duration;

/**
 * How fast a model's queue drains when it is not empty, and which tiers the bindings go to; from
 * them, how long the requests already queued ahead of a newcomer will take to leave. Tiers drain in
 * priority order, so a tier moves only with the bindings the tiers above it leave over. This is what
 * overload decisions and {@code Retry-After} are made from.
 *
 * <p>Implementation notes. Bindings are counted with a decay over {@link #WINDOW_NANOS} of busy time:
 * time that passed while requests waited, so that the count reflects what the replicas take, not what
 * clients send. Engines free room in steps, and bindings come in bursts (a step that ends thirty
 * sequences binds thirty requests at once); a count over seconds is steady across them where an
 * average of the gaps between bindings swings with every burst, and decisions taken while it swings
 * low admit too much. Unknown until the queue has been busy for a while. On the model's clock.
 */
final class DrainPace {

  /** The busy time the counts decay over. */
  static final long WINDOW_NANOS = 2_000_000_000L;
  /** Busy time and bindings before the pace is trusted. */
  private static final long WARMUP_NANOS = 500_000_000L;
  private static final int WARMUP_BINDINGS = 8;
  /** The least share of bindings a tier is assumed to get, so that its wait stays finite. */
  private static final double LEAST_SHARE = 0.05;

  /** Bindings per tier, by {@link ServiceTier#ordinal()}, decayed to the last binding's busy time. */
  private final double[] counts = new double[ServiceTier.values().length];
  private long busyNanos;
  private long bindings;
  private long lastBindingNanos = -1;
  /** Whether requests were still waiting after the last binding: the time since was busy. */
  private boolean leftWaiting;

  /** A request of {@code tier} was bound at {@code nowNanos}, leaving {@code waiting} requests queued. */
  void bound(long nowNanos, ServiceTier tier, int waiting) {
    if (leftWaiting) {
      long busy = nowNanos - lastBindingNanos;
      busyNanos += busy;
      double decay = Math.exp(-(double) busy / WINDOW_NANOS);
      for (int t = 0; t < counts.length; t++) {
        counts[t] *= decay;
      }
    }
    counts[tier.ordinal()] += 1;
    bindings++;
    lastBindingNanos = nowNanos;
    leftWaiting = waiting > 0;
  }

  /** Whether the pace has been measured. */
  boolean known() {
    return busyNanos >= WARMUP_NANOS && bindings >= WARMUP_BINDINGS;
  }

  /**
   * The mean time between the bindings that reach {@code tier}: the busy queue's, stretched by the
   * share of bindings the tiers above it take. NaN while unknown.
   */
  double intervalNanos(ServiceTier tier) {
    if (!known()) {
      return Double.NaN;
    }
    double all = 0;
    double above = 0;
    for (int t = 0; t < counts.length; t++) {
      all += counts[t];
      if (t < tier.ordinal()) {
        above += counts[t];
      }
    }
    // A decayed count of events at a steady rate r settles at r times the window.
    double window = Math.min(WINDOW_NANOS, busyNanos);
    double interval = window / all;
    return interval / Math.max(LEAST_SHARE, 1 - above / all);
  }

  /** The time {@code requests} queued at or above {@code tier} take to be bound; 0 while unknown. */
  long nanosFor(ServiceTier tier, int requests) {
    if (!known()) {
      return 0;
    }
    double nanos = intervalNanos(tier) * requests;
    return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
  }

  /** {@code nanos} as a Retry-After: whole seconds, rounded up, from 1 to 60. */
  static Duration retryAfter(long nanos) {
    long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
    return Duration.ofSeconds(Math.max(1, Math.min(60, seconds)));
  }
}
