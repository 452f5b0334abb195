package dev.spillway.backends.upstream;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.Health;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.Clock;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One upstream server. What it knows of the server's load is what it sent: the requests in flight
 * and the tokens they may still produce. Its latency prediction is learned from the answers it got.
 *
 * <p>Threading. The replica's state (what is in flight, the learned latencies) belongs to the clock:
 * {@link #submit} and the slot bookkeeping run there ({@code onClock} gets there when called from
 * elsewhere). Each request's HTTP exchange runs on its sink's home thread instead: the exchange is
 * handed to the sink's executor, which sends it with that thread's own HTTP client, so Vert.x
 * delivers every response callback, and each sink event, on the home thread, with no hop per chunk.
 * When the exchange ends it posts one task to the clock that frees its slot, feeds the learned
 * latencies and tells the capacity listener; run on the home thread itself when the clock is idle.
 * No locks.
 *
 * <p>One HTTP client per replica and event loop, so connections are used by the loop that opened them
 * and each replica has a connection pool of its own even when several share a URL (a load balancer in
 * front of many servers). Each pool holds {@code maxConcurrency} connections and queues as many
 * requests again; the gateway never sends a replica more than {@code maxConcurrency} at once.
 *
 * <p>Health: unless the pool turns it off, a {@link HealthProbe} checks the server every few seconds
 * on the clock; a replica it finds down has no capacity for the router.
 *
 * <p>The load counts each request in flight at its whole budget (prompt plus max output tokens) until
 * it ends: tokens arrive on the home thread, and counting them on the clock would cost a hop
 * per token.
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
  private final Target target;
  /**
   * One client per event loop, made on first use there; read on any thread. Keyed by the loop, not
   * the context: Vert.x runs each server request on a duplicate context of its own.
   */
  private final Map<EventLoop, HttpClient> clients = new ConcurrentHashMap<>();

  private final Set<UpstreamExchange> inFlight = new LinkedHashSet<>();
  private long outstandingTokens;
  private double ttftNanos = INITIAL_TTFT.toNanos();
  private double tpotNanos = INITIAL_TPOT.toNanos();
  private Runnable capacityListener = () -> {};
  /** The active health check; null when the pool has none. */
  private final HealthProbe probe;
  private volatile boolean closed;

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
    this.target = Target.of(URI.create(endpoint), settings);
    if (settings.healthCheck().enabled()) {
      // A change of health may free (or take away) room: the gateway looks again.
      this.probe =
          new HealthProbe(
              id, baseUrl, target.authorization(), settings.healthCheck(), clock, onClock, vertx,
              () -> capacityListener.run());
      probe.start();
    } else {
      this.probe = null;
    }
  }

  @Override
  public Health health() {
    return probe == null ? Health.UNCHECKED : probe.health();
  }

  /**
   * Where each request goes, parsed once: not once per request.
   *
   * @param authorization the bearer header's value, or null; never printed
   */
  record Target(
      String host, int port, boolean ssl, String path, long connectTimeoutMillis,
      CharSequence authorization) {

    static Target of(URI url, UpstreamSettings settings) {
      boolean ssl = "https".equalsIgnoreCase(url.getScheme());
      int port = url.getPort() >= 0 ? url.getPort() : ssl ? 443 : 80;
      String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
      CharSequence authorization =
          settings.apiKey() == null ? null : HttpHeaders.createOptimized("Bearer " + settings.apiKey());
      return new Target(
          url.getHost(), port, ssl, path, Math.max(1, settings.timeout().toMillis()), authorization);
    }

    @Override
    public String toString() {
      return "Target[" + (ssl ? "https://" : "http://") + host + ":" + port + path + "]";
    }
  }

  Target target() {
    return target;
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

  Vertx vertx() {
    return vertx;
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
    return inFlight.size() < settings.maxConcurrency() && (probe == null || probe.health() != Health.DOWN);
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
    onClock.execute(() -> begin(exchange));
    return () -> exchange.home().execute(exchange::cancel);
  }

  @Override
  public void onCapacity(Runnable listener) {
    onClock.execute(() -> capacityListener = listener == null ? () -> {} : listener);
  }

  /** Counts the exchange in flight and starts it on its home thread. On the clock. */
  private void begin(UpstreamExchange exchange) {
    if (closed) {
      exchange
          .home()
          .execute(
              () ->
                  exchange.failBeforeStart(
                      new BackendException(BackendException.Kind.UPSTREAM, id + ": the pool is closed")));
      return;
    }
    inFlight.add(exchange);
    outstandingTokens += exchange.budgetTokens();
    exchange.home().execute(() -> exchange.start(client()));
  }

  /** HTTP clients made so far: one per event loop that has sent a request. */
  int clients() {
    return clients.size();
  }

  /** The HTTP client of the calling thread's event loop, made on first use. */
  private HttpClient client() {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException(id + ": an upstream exchange must run on a Vert.x context");
    }
    EventLoop loop = ((ContextInternal) context).nettyEventLoop();
    HttpClient client = clients.get(loop);
    if (client == null) {
      client = clients.computeIfAbsent(loop, l -> newClient());
    }
    return client;
  }

  private HttpClient newClient() {
    int connectMillis = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
    return vertx
        .httpClientBuilder()
        .with(new HttpClientOptions().setConnectTimeout(connectMillis).setKeepAlive(true))
        .with(
            new PoolOptions()
                .setHttp1MaxSize(settings.maxConcurrency())
                .setMaxWaitQueueSize(settings.maxConcurrency()))
        .build();
  }

  /**
   * {@code exchange} is over: called on its home thread, with what it observed (negative when not
   * seen). One task on the clock frees its slot and feeds the learned latencies.
   */
  void ended(UpstreamExchange exchange, long ttftNanos, long tpotNanos) {
    onClock.execute(
        () -> {
          if (ttftNanos >= 0) {
            this.ttftNanos += SMOOTHING * (ttftNanos - this.ttftNanos);
          }
          if (tpotNanos >= 0) {
            this.tpotNanos += SMOOTHING * (tpotNanos - this.tpotNanos);
          }
          if (inFlight.remove(exchange)) {
            outstandingTokens -= exchange.budgetTokens();
            capacityListener.run();
          }
        });
  }

  /** Cancels what is in flight (each gets its cancelled finish) and closes the connections. */
  void close() {
    onClock.execute(
        () -> {
          if (closed) {
            return;
          }
          closed = true;
          if (probe != null) {
            probe.stop();
          }
          for (UpstreamExchange exchange : List.copyOf(inFlight)) {
            exchange.home().execute(exchange::cancel);
          }
          // Closing after the cancels: each client is closed on the loop it belongs to, behind them.
          clients.forEach((loop, client) -> loop.execute(client::close));
        });
  }
}
