package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a pool was billed for: replica-seconds from the core's start to {@code endNanos}, and every
 * change of its replica count. A replica is billed from the moment it is asked for until it is
 * removed (provisioning, serving and draining all count); a fixed pool's bill is its replicas times
 * the time.
 *
 * @param startNanos the clock time the bill starts at (the core's construction)
 * @param endNanos the clock time the bill was read at
 * @param replicaNanos replica-nanoseconds billed from {@code startNanos} to {@code endNanos}
 * @param changes the replica counts in time order, the first at {@code startNanos}; each holds until
 *     the next
 */
public record PoolBill(
    String pool,
    String model,
    long startNanos,
    long endNanos,
    long replicaNanos,
    List<ReplicaCount> changes) {

  /**
   * The pool's replicas from {@code atNanos} on.
   *
   * @param billed replicas paid for: asked for and not yet removed
   * @param serving replicas the router may send requests to
   */
  public record ReplicaCount(long atNanos, int billed, int serving) {}

  public PoolBill {
    requireNonNull(pool, "pool");
    requireNonNull(model, "model");
    changes = List.copyOf(changes);
  }

  /** Replica-seconds billed over the whole bill. */
  public double replicaSeconds() {
    return replicaNanos / 1e9;
  }

  /** Replica-seconds billed between {@code fromNanos} and {@code toNanos} (clamped to the bill). */
  public double replicaSeconds(long fromNanos, long toNanos) {
    long from = Math.max(fromNanos, startNanos);
    long to = Math.min(toNanos, endNanos);
    long total = 0;
    for (int i = 0; i < changes.size(); i++) {
      long segmentStart = Math.max(changes.get(i).atNanos(), from);
      long segmentEnd = Math.min(i + 1 < changes.size() ? changes.get(i + 1).atNanos() : endNanos, to);
      if (segmentEnd > segmentStart) {
        total += (segmentEnd - segmentStart) * changes.get(i).billed();
      }
    }
    return total / 1e9;
  }

  /** The most replicas billed at once. */
  public int peakBilled() {
    int peak = 0;
    for (ReplicaCount c : changes) {
      peak = Math.max(peak, c.billed());
    }
    return peak;
  }
}
