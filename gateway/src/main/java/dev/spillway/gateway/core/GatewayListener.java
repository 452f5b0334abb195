package dev.spillway.gateway.core;

import dev.spillway.backends.spi.TokenEvent;

/**
 * Receives what happens to one accepted request, on the core's thread, in order: {@link #onBound}
 * once, tokens, then exactly one of {@link #onFinish} or {@link #onError}. A request rejected at
 * admission gets only {@link #onError}.
 */
public interface GatewayListener {

  /** The request left the queue for a replica. */
  void onBound(Binding binding);

  void onToken(TokenEvent.Token token);

  void onFinish(TokenEvent.Finish finish, Binding binding);

  void onError(GatewayError error);

  /**
   * Where a request ran and how long it queued in the gateway.
   *
   * @param pool the pool name, e.g. {@code llama-3.3-70b@trn2}
   * @param replica the replica id
   * @param queuedNanos time from admission to binding
   */
  record Binding(String pool, String replica, long queuedNanos) {}
}
