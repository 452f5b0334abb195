package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.core.GatewayListener.Binding;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.time.Duration;

/**
 * A request answered from its model's response cache: the stored answer told to the listener as a
 * replica would tell it — bound, every token, the finish — in one task on the listener's executor, so
 * it never waits in a queue or touches the model's clock. The binding is marked
 * {@link CacheLookup#HIT} and names the pool and replica that produced the answer; the finish carries
 * the answer's reason and usage, with cost and price 0 and no time in a queue or a backend.
 *
 * <p>Cancelled before its task runs (the client went away), it tells the listener nothing, as a
 * request cancelled in the queue.
 */
final class CacheHit implements Admission, Runnable {

  /** The pool label of requests answered from the cache. */
  static final String POOL = "cache";

  private static final Prediction NOTHING = new Prediction(Duration.ZERO, Duration.ZERO, 0);

  private final CachedAnswer answer;
  private final GatewayListener listener;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final String model;
  private final long admittedNanos;
  /** Set from any thread; read on the listener's. */
  private volatile boolean cancelled;

  CacheHit(
      CachedAnswer answer, GatewayListener listener, Clock clock, GatewayMetrics metrics, String model,
      long admittedNanos) {
    this.answer = answer;
    this.listener = listener;
    this.clock = clock;
    this.metrics = metrics;
    this.model = model;
    this.admittedNanos = admittedNanos;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  /** Replays the answer; on the listener's executor. */
  @Override
  public void run() {
    long now = clock.nanoTime();
    if (cancelled) {
      metrics.requestFinished(model, POOL, GatewayMetrics.Outcome.CANCELLED, now - admittedNanos);
      return;
    }
    Binding binding = new Binding(answer.pool(), answer.replica(), 0, NOTHING, CacheLookup.HIT);
    listener.onBound(binding);
    int tokens = answer.tokens();
    if (tokens > 0) {
      metrics.timeToFirstToken(model, POOL, now - admittedNanos);
    }
    for (int i = 0; i < tokens; i++) {
      listener.onToken(new TokenEvent.Token(i, answer.token(i), now));
    }
    TokenEvent.Finish finish =
        new TokenEvent.Finish(answer.reason(), answer.usage(), 0, 0, 0, now, 0);
    metrics.tokens(model, POOL, answer.usage().promptTokens(), answer.usage().completionTokens());
    metrics.requestFinished(model, POOL, GatewayMetrics.Outcome.SUCCESS, now - admittedNanos);
    listener.onFinish(finish, binding);
  }
}
