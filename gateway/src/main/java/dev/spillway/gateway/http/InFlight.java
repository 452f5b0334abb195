package dev.spillway.gateway.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The generation requests in flight on every loop of one {@link GatewayServer}, and whether it is
 * draining. Shared by the loops: a request counts from its arrival to its response's end (or its
 * connection's close).
 *
 * <p>Implementation notes. Invariant: once {@link #drain} has returned, {@link #idle()} completes
 * exactly when no request is in flight, and no request starts. A request increments the count before
 * it reads the flag and a drain sets the flag before it reads the count (both volatile), so either the
 * request sees the drain and backs out, or the drain counts it.
 */
final class InFlight {

  private final AtomicInteger count = new AtomicInteger();
  private final CompletableFuture<Void> idle = new CompletableFuture<>();
  private volatile boolean draining;
  private volatile boolean cancelling;

  /** Counts a request that arrived; false (and not counted) when draining: it must be refused. */
  boolean start() {
    count.incrementAndGet();
    if (draining) {
      end();
      return false;
    }
    return true;
  }

  /** A counted request's response ended or its connection closed. */
  void end() {
    if (count.decrementAndGet() == 0 && draining) {
      idle.complete(null);
    }
  }

  /** Refuses new requests from now on; returns how many are in flight. Idempotent. */
  int drain() {
    draining = true;
    int n = count.get();
    if (n == 0) {
      idle.complete(null);
    }
    return n;
  }

  /** The requests still in flight will be cancelled: one that has not reached the core stays out. */
  void cancelling() {
    cancelling = true;
  }

  boolean draining() {
    return draining;
  }

  boolean isCancelling() {
    return cancelling;
  }

  int count() {
    return count.get();
  }

  /** Completes once draining with nothing in flight; on the thread that ended the last request. */
  CompletableFuture<Void> idle() {
    return idle;
  }
}
