package dev.spillway.gateway.core;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.core.GatewayListener.Binding;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;

/**
 * One attempt of a request on one replica, as its home thread sees it: the sink the replica reports
 * to, turning events into metrics and listener calls.
 *
 * <p>Implementation notes. Everything here runs on the request's home (the listener's executor), where
 * the replica delivers the events, so tokens go from replica to client without touching the model's
 * thread. The model's scheduler hears back only when it must act: a failure before the first token
 * goes to {@link ModelScheduler#failed} on the model's clock, which may retry it, or else hands it
 * back to {@link #giveUp}. {@code ended} turns
 * true at the terminal event; nothing after it is passed on. A cacheable request's tokens are recorded
 * as they pass, and stored in the model's response cache (thread-safe) only when it finishes normally;
 * a failure or a cancellation leaves the cache as it was.
 */
final class BoundRequest implements TokenSink {

  private final ModelScheduler scheduler;
  private final Pending p;
  private final Binding binding;
  /** Copies of {@code binding.pool()} and {@code p.listener}: each token reads these, not three objects. */
  private final String pool;
  private final GatewayListener listener;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final String model;
  private final long boundNanos;
  /** An embedding request's one event is not a token its client sees. */
  private final boolean embedding;
  /** Collects a cacheable request's answer for the model's response cache; null otherwise. */
  private final CachedAnswer.Recorder recorder;
  private long firstTokenNanos = -1;
  private long lastTokenNanos = -1;
  /** Where the gaps between tokens go, looked up at the first token; null to call the metrics. */
  private LongConsumer interTokenLatencies;
  /** The replica's time of the first token, for the prediction error. */
  private long firstTokenAtNanos = -1;
  private boolean ended;
  /** Set when the attempt fails: whether nothing of it reached the client, so it may be retried. */
  private boolean unseen;
  /** Written once on the home thread, at the first token; read by the model's deadline sweep. */
  private volatile boolean firstTokenSeen;
  /** The attempt's deadlines on the model's clock (its pool's time limiter); set at binding. */
  long firstTokenDeadlineNanos = Long.MAX_VALUE;
  long totalDeadlineNanos = Long.MAX_VALUE;
  /** What the replica returned for this attempt; on the model's clock. */
  dev.spillway.backends.spi.Submission submission;

  BoundRequest(
      ModelScheduler scheduler, Pending p, Binding binding, Clock clock, GatewayMetrics metrics,
      String model) {
    this.scheduler = scheduler;
    this.p = p;
    this.binding = binding;
    this.pool = binding.pool();
    this.listener = p.listener;
    this.clock = clock;
    this.metrics = metrics;
    this.model = model;
    this.boundNanos = p.admittedNanos + binding.queuedNanos();
    this.embedding = p.request.embedding();
    this.recorder = p.cacheKey == null ? null : new CachedAnswer.Recorder();
  }

  @Override
  public Executor executor() {
    return p.listener.executor();
  }

  /** The pool the attempt runs on. */
  String pool() {
    return pool;
  }

  /** When the attempt was bound, on the model's clock. */
  long boundAtNanos() {
    return boundNanos;
  }

  boolean firstTokenSeen() {
    return firstTokenSeen;
  }

  /**
   * The attempt passed a deadline and its replica was told to stop; on the home thread. It fails as a
   * timeout: before its first token, retried like any such failure.
   */
  void timedOut(boolean firstToken, long limitNanos) {
    if (ended) {
      return;
    }
    ended = true;
    long now = clock.nanoTime();
    String message =
        firstToken
            ? binding.replica() + " sent no first token within " + limitNanos / 1_000_000 + " ms"
            : binding.replica() + " did not finish within " + limitNanos / 1_000_000 + " ms";
    failed(
        new TokenEvent.Failure(
            new BackendException(BackendException.Kind.TIMEOUT, message), firstTokenNanos < 0, now),
        now);
  }

  /** Tells the listener where the request is going; before any event of its first attempt. */
  void bound() {
    p.listener.onBound(binding);
  }

  /** Kept small, the token path apart, so the JIT inlines it into the replica's delivery. */
  @Override
  public void accept(TokenEvent event) {
    if (ended) {
      return;
    }
    if (event instanceof TokenEvent.Token) {
      token((TokenEvent.Token) event);
    } else if (event instanceof TokenEvent.Finish) {
      ended = true;
      finished((TokenEvent.Finish) event, clock.nanoTime());
    } else {
      ended = true;
      failed((TokenEvent.Failure) event, clock.nanoTime());
    }
  }

  private void token(TokenEvent.Token token) {
    long now = clock.nanoTime();
    if (firstTokenNanos < 0) {
      firstTokenNanos = now;
      firstTokenSeen = true;
      firstTokenAtNanos = token.atNanos();
      metrics.timeToFirstToken(model, pool, now - p.admittedNanos);
      interTokenLatencies = metrics.interTokenLatencies(model, pool);
    } else if (interTokenLatencies != null) {
      interTokenLatencies.accept(now - lastTokenNanos);
    } else {
      metrics.interTokenLatency(model, pool, now - lastTokenNanos);
    }
    lastTokenNanos = now;
    if (recorder != null) {
      recorder.token(token);
    }
    if (!embedding) {
      listener.onToken(token);
    }
  }

  private void finished(TokenEvent.Finish finish, long now) {
    boolean cancelled = finish.reason() == FinishReason.CANCELLED;
    metrics.tokens(
        model, binding.pool(), finish.usage().promptTokens(),
        p.request.embedding() ? 0 : finish.usage().completionTokens());
    metrics.costAndPrice(
        model, binding.pool(), p.request.tier().wireName(), finish.costUsd(), finish.priceUsd());
    metrics.requestFinished(
        model, binding.pool(),
        cancelled ? GatewayMetrics.Outcome.CANCELLED : GatewayMetrics.Outcome.SUCCESS,
        now - p.admittedNanos);
    // Before the listener ends the response, so whoever hears of the end finds the sample recorded.
    int tokens = finish.usage().completionTokens();
    if (!cancelled && firstTokenAtNanos >= 0) {
      double tpot =
          tokens > 1 ? (double) (finish.atNanos() - firstTokenAtNanos) / (tokens - 1) : Double.NaN;
      scheduler.observed(this, binding, firstTokenAtNanos - boundNanos, tpot);
    } else {
      scheduler.replicaReleased(this, binding.replica());
    }
    if (recorder != null) {
      CachedAnswer answer = recorder.finish(binding.pool(), binding.replica(), finish);
      if (answer != null) {
        scheduler.cache().put(p.cacheKey, answer);
      }
    }
    p.listener.onFinish(finish, binding);
  }

  private void failed(TokenEvent.Failure failure, long now) {
    BackendException error = failure.error();
    // Tokens the client has not seen yet (a whole answer is being collected) do not stop a retry.
    // A timeout midway is not retried: a second try would take as long again.
    unseen =
        failure.beforeFirstToken()
            || (!p.listener.committed() && error.kind() != BackendException.Kind.TIMEOUT);
    if (error.kind() == BackendException.Kind.INVALID_REQUEST) {
      scheduler.replicaReleased(this, binding.replica());
      giveUp(failure);
      return;
    }
    // The scheduler decides on the model's clock whether to retry; if not, it calls giveUp here.
    scheduler.failed(p, this, binding.pool(), binding.replica(), now - boundNanos, failure, unseen);
    if (!unseen) {
      giveUp(failure);
    }
  }

  /** Tells the listener the request failed with this attempt; on the home thread. */
  void giveUp(TokenEvent.Failure failure) {
    BackendException error = failure.error();
    long now = clock.nanoTime();
    GatewayError.Kind kind;
    GatewayMetrics.Outcome outcome;
    switch (error.kind()) {
      case INVALID_REQUEST:
        kind = GatewayError.Kind.INVALID_REQUEST;
        outcome = GatewayMetrics.Outcome.CLIENT_ERROR;
        break;
      case OVERLOADED:
        kind = GatewayError.Kind.UNAVAILABLE;
        outcome = GatewayMetrics.Outcome.BACKEND_ERROR;
        break;
      case TIMEOUT:
        kind = GatewayError.Kind.TIMEOUT;
        outcome = GatewayMetrics.Outcome.TIMEOUT;
        break;
      default:
        kind = GatewayError.Kind.BACKEND;
        outcome = GatewayMetrics.Outcome.BACKEND_ERROR;
    }
    metrics.requestFinished(model, binding.pool(), outcome, now - p.admittedNanos);
    GatewayError e =
        kind == GatewayError.Kind.UNAVAILABLE
            ? GatewayError.retryable(
                kind, error.getMessage(), error.retryAfter().orElse(Duration.ofSeconds(1)))
            : GatewayError.of(kind, error.getMessage());
    p.listener.onError(unseen ? e : e.midStream());
  }
}
