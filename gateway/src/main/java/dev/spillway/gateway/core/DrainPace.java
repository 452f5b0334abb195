package dev.spillway.gateway.core;

import java.time.Duration;

/**
 * How fast a model's queue drains when it is not empty: a moving average of the time between
 * bindings measured only while requests were waiting, so it reflects what the replicas take, not what
 * clients send. From it, how long the requests already queued ahead of a newcomer will take to leave,
 * which is what overload decisions and {@code Retry-After} are made from. Unknown until the queue
 * has been busy for a few bindings. On the model's thread.
 */
final class DrainPace {

  /** Weight of the newest interval. */
  private static final double SMOOTHING = 0.05;
  /** Intervals measured before the pace is trusted. */
  private static final int WARMUP = 8;

  private double intervalNanos = Double.NaN;
  private long lastBindingNanos = -1;
  /** Whether requests were still waiting after the last binding: the gap since was spent draining. */
  private boolean leftWaiting;
  private int samples;

  /** A request was bound at {@code nowNanos}, leaving {@code waiting} requests in the queue. */
  void bound(long nowNanos, int waiting) {
    if (leftWaiting) {
      double interval = nowNanos - lastBindingNanos;
      intervalNanos =
          Double.isNaN(intervalNanos) ? interval : intervalNanos + SMOOTHING * (interval - intervalNanos);
      samples++;
    }
    lastBindingNanos = nowNanos;
    leftWaiting = waiting > 0;
  }

  /** Whether the pace has been measured. */
  boolean known() {
    return samples >= WARMUP;
  }

  /** The time {@code requests} queued requests take to be bound at this pace; 0 while unknown. */
  long nanosFor(int requests) {
    if (!known()) {
      return 0;
    }
    double nanos = intervalNanos * requests;
    return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
  }

  /** The mean time between bindings while busy, NaN while unknown. */
  double intervalNanos() {
    return known() ? intervalNanos : Double.NaN;
  }

  /** {@code nanos} as a Retry-After: whole seconds, rounded up, from 1 to 60. */
  static Duration retryAfter(long nanos) {
    long seconds = (nanos + 999_999_999L) / 1_000_000_000L;
    return Duration.ofSeconds(Math.max(1, Math.min(60, seconds)));
  }
}
