package dev.spillway.gateway.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The replica-seconds integral of one pool: the billed count times the time it held, summed exactly in
 * clock nanoseconds (a long holds about 292 replica-years), and the count's every change. On the
 * pool's model thread.
 */
final class ReplicaMeter {

  private final long startNanos;
  private final List<PoolBill.ReplicaCount> changes = new ArrayList<>();
  private long lastNanos;
  private int billed;
  private int serving;
  private long replicaNanos;

  ReplicaMeter(long startNanos, int billed, int serving) {
    this.startNanos = startNanos;
    this.lastNanos = startNanos;
    this.billed = billed;
    this.serving = serving;
    changes.add(new PoolBill.ReplicaCount(startNanos, billed, serving));
  }

  /** The counts from {@code nowNanos} on. */
  void set(long nowNanos, int billed, int serving) {
    if (billed == this.billed && serving == this.serving) {
      return;
    }
    advance(nowNanos);
    this.billed = billed;
    this.serving = serving;
    PoolBill.ReplicaCount last = changes.get(changes.size() - 1);
    if (last.atNanos() == nowNanos) {
      changes.set(changes.size() - 1, new PoolBill.ReplicaCount(nowNanos, billed, serving));
    } else {
      changes.add(new PoolBill.ReplicaCount(nowNanos, billed, serving));
    }
  }

  private void advance(long nowNanos) {
    if (nowNanos < lastNanos) {
      throw new IllegalStateException("clock went back: " + nowNanos + " < " + lastNanos);
    }
    replicaNanos += (nowNanos - lastNanos) * billed;
    lastNanos = nowNanos;
  }

  /** Replica-nanoseconds from the start to {@code nowNanos}. */
  long replicaNanos(long nowNanos) {
    return replicaNanos + (nowNanos - lastNanos) * billed;
  }

  PoolBill bill(String pool, String model, long nowNanos) {
    return new PoolBill(pool, model, startNanos, nowNanos, replicaNanos(nowNanos), changes);
  }
}
