package dev.spillway.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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

  private static final CharSequence CONNECTION_CLOSE = HttpHeaders.createOptimized("close");

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

  /**
   * Counts a generation request until its {@code response} ends, then runs {@code ended} (on the
   * response's loop) and stops counting it. While draining, refuses it instead: {@code refuse} answers
   * it (a 503) and the connection closes, so that a keep-alive client reconnects elsewhere. Returns
   * whether it was counted.
   */
  boolean admit(HttpServerResponse response, Consumer<HttpServerResponse> refuse, Runnable ended) {
    if (!start()) {
      response.putHeader(HttpHeaders.CONNECTION, CONNECTION_CLOSE);
      refuse.accept(response);
      return false;
    }
    boolean[] over = {false};
    response.endHandler(
        v -> {
          if (!over[0]) {
            over[0] = true;
            ended.run();
            end();
          }
        });
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
