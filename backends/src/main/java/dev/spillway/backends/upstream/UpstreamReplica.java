package dev.spillway.backends.upstream;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * One upstream server. What it knows of the server's load is what it sent: the requests in flight
 * and the tokens they may still produce. Its latency prediction is learned from the answers it got.
 *
 * <p>Threading. Every method runs on the clock's context. {@link #submit} and the cancel it returns
 * hop there through {@code onClock} when called from elsewhere (inline when already there), and the
 * HTTP client is created and every request sent from there, so Vert.x delivers each response callback,
 * and with it each sink event, on that context. No locks.
 *
 * <p>One HTTP client per replica, so each replica has a connection pool of its own even when several
 * share a URL (a load balancer in front of many servers). The pool holds {@code maxConcurrency}
 * connections and queues as many requests again; past that, submissions fail as overloaded.
 */
final class UpstreamReplica implements Replica {

  static final Duration INITIAL_TTFT = Duration.ofMillis(200);
  static final Duration INITIAL_TPOT = Duration.ofMillis(20);
  /** Weight of the newest observation in the moving averages. */
  static final double SMOOTHING = 0.2;

  private final String id;
  private final URI baseUrl;
  private final String endpoint;
  private final UpstreamSettings settings;
  private final Vertx vertx;
  private final Clock clock;
  private final Executor onClock;
  private final Capacity capacity;

  private final Set<UpstreamExchange> inFlight = new LinkedHashSet<>();
  private long outstandingTokens;
  private double ttftNanos = INITIAL_TTFT.toNanos();
  private double tpotNanos = INITIAL_TPOT.toNanos();
  /** Created on first use, on the clock's context. */
  private HttpClient client;
  private boolean closed;

  UpstreamReplica(
      String id, URI baseUrl, UpstreamSettings settings, Vertx vertx, Clock clock, Executor onClock) {
    this.id = requireNonNull(id, "id");
    this.baseUrl = requireNonNull(baseUrl, "baseUrl");
    this.endpoint = UpstreamSettings.chatCompletionsUrl(baseUrl);
    this.settings = requireNonNull(settings, "settings");
    this.vertx = requireNonNull(vertx, "vertx");
    this.clock = requireNonNull(clock, "clock");
    this.onClock = requireNonNull(onClock, "onClock");
    this.capacity = new Capacity(settings.maxConcurrency(), 0, 0, 0, Integer.MAX_VALUE, 0);
  }

  @Override
  public String id() {
    return id;
  }

  URI baseUrl() {
    return baseUrl;
  }

  String endpoint() {
    return endpoint;
  }

  UpstreamSettings settings() {
    return settings;
  }

  @Override
  public Capacity capacity() {
    return capacity;
  }

  @Override
  public LoadSnapshot load() {
    return new LoadSnapshot(inFlight.size(), 0, 0, 0, outstandingTokens);
  }

  @Override
  public boolean hasCapacityFor(InferenceRequest request) {
    return inFlight.size() < settings.maxConcurrency();
  }

  /** The learned TTFT, stretched by how full the replica is, and the learned TPOT; no known cost. */
  @Override
  public Prediction predict(InferenceRequest request) {
    double fullness = (double) inFlight.size() / settings.maxConcurrency();
    return new Prediction(
        Duration.ofNanos(Math.round(ttftNanos * (1 + fullness))), Duration.ofNanos(Math.round(tpotNanos)), 0);
  }

  @Override
  public Submission submit(InferenceRequest request, TokenSink sink) {
    requireNonNull(request, "request");
    requireNonNull(sink, "sink");
    UpstreamExchange exchange = new UpstreamExchange(this, request, sink, clock);
    onClock.execute(() -> begin(exchange, sink));
    return () -> onClock.execute(exchange::cancel);
  }

  private void begin(UpstreamExchange exchange, TokenSink sink) {
    if (closed) {
      sink.accept(
          new TokenEvent.Failure(
              new BackendException(BackendException.Kind.UPSTREAM, id + ": the pool is closed"),
              true, clock.nanoTime()));
      return;
    }
    inFlight.add(exchange);
    outstandingTokens += exchange.outstandingTokens();
    exchange.start(client());
  }

  private HttpClient client() {
    if (client == null) {
      int connectMillis = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
      client =
          vertx
              .httpClientBuilder()
              .with(new HttpClientOptions().setConnectTimeout(connectMillis).setKeepAlive(true))
              .with(
                  new PoolOptions()
                      .setHttp1MaxSize(settings.maxConcurrency())
                      .setMaxWaitQueueSize(settings.maxConcurrency()))
              .build();
    }
    return client;
  }

  /** A token of {@code exchange} arrived: one less to come, until it has all it asked for. */
  void tokenReceived(UpstreamExchange exchange) {
    if (exchange.tokens() <= exchange.request().maxOutputTokens()) {
      outstandingTokens--;
    }
  }

  /** {@code exchange} is over: frees its slot and the work it still counted for. */
  void release(UpstreamExchange exchange) {
    if (inFlight.remove(exchange)) {
      outstandingTokens -= exchange.outstandingTokens();
    }
  }

  void observeTtft(long nanos) {
    ttftNanos += SMOOTHING * (Math.max(0, nanos) - ttftNanos);
  }

  void observeTpot(long nanos) {
    tpotNanos += SMOOTHING * (Math.max(0, nanos) - tpotNanos);
  }

  /** Cancels what is in flight (each gets its cancelled finish) and closes the connections. */
  void close() {
    onClock.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          for (UpstreamExchange exchange : List.copyOf(inFlight)) {
            exchange.cancel();
          }
          if (client != null) {
            client.close();
          }
        });
  }
}
