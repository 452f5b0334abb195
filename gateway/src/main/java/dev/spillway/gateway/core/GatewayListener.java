package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import java.util.concurrent.Executor;

/**
 * Receives what happens to one accepted request, in order: {@link #onBound} once per attempt (a
 * request that failed before its first token is bound again), tokens, then exactly one of
 * {@link #onFinish} or {@link #onError}. A request rejected at admission gets only
 * {@link #onError}. Every call is made through {@link #executor()}: the request's home thread.
 */
public interface GatewayListener {

  /**
   * The request's home: where every callback runs (live, the event loop of the client's connection).
   * It must run tasks one at a time in the order each thread posted them. By default, inline on the
   * calling thread, for listeners that live on the core's only thread (the simulator's).
   */
  default Executor executor() {
    return TokenSink.INLINE;
  }

  /**
   * The request left the queue for a replica: for its first attempt, and again for each retry. A
   * retry's binding means that whatever the failed attempt produced is void. The last binding is
   * where the request runs.
   */
  void onBound(Binding binding);

  void onToken(TokenEvent.Token token);

  void onFinish(TokenEvent.Finish finish, Binding binding);

  void onError(GatewayError error);

  /**
   * Whether tokens this listener has received have reached the client; asked on the home thread
   * when an attempt fails after its first token. If not, the attempt may be retried like one that
   * failed before it, and the listener drops those tokens at the next {@link #onBound}: a client
   * that waits for the whole answer never sees the failed attempt. By default, yes: every token is
   * taken to be passed on as it comes.
   */
  default boolean committed() {
    return true;
  }

  /**
   * Where a request ran, how long it queued in the gateway, and what the replica predicted for it.
   *
   * @param pool the pool name, e.g. {@code llama-3.3-70b@trn2}
   * @param replica the replica id
   * @param queuedNanos time from admission to binding
   * @param predicted the replica's prediction for the request at the instant it was bound (what the
   *     routing policy saw): TTFT from binding, TPOT, cost
   * @param cache what the model's response cache did: {@link CacheLookup#HIT} when the answer comes
   *     from it (then {@code pool} and {@code replica} are those of the stored answer, queue time and
   *     prediction are zero, and the finish costs and is priced 0); {@link CacheLookup#MISS} when a
   *     replica answers and the answer will be stored; {@link CacheLookup#NONE} otherwise
   * @param attempts which attempt of the request this is, from 1: more after failures before a first
   *     token
   */
  record Binding(
      String pool, String replica, long queuedNanos, Prediction predicted, CacheLookup cache,
      int attempts) {
    public Binding {
      requireNonNull(pool, "pool");
      requireNonNull(replica, "replica");
      requireNonNull(predicted, "predicted");
      requireNonNull(cache, "cache");
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 1)");
      }
    }

    /** A first attempt. */
    public Binding(
        String pool, String replica, long queuedNanos, Prediction predicted, CacheLookup cache) {
      this(pool, replica, queuedNanos, predicted, cache, 1);
    }

    /** A binding the response cache had no part in. */
    public Binding(String pool, String replica, long queuedNanos, Prediction predicted) {
      this(pool, replica, queuedNanos, predicted, CacheLookup.NONE);
    }

    /** True when the answer comes from the response cache: no replica serves it, and it costs nothing. */
    public boolean cached() {
      return cache == CacheLookup.HIT;
    }
  }
}
