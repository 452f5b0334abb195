package dev.spillway.gateway;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.time.VertxClock;
import dev.spillway.gateway.api.bedrock.ProfileRouter;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.core.GatewayCore;
import dev.spillway.gateway.http.GatewayServer;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.metrics.PrometheusGatewayMetrics;
import dev.spillway.gateway.tenancy.ListPrices;
import dev.spillway.gateway.tenancy.LoopbackRule;
import dev.spillway.gateway.tenancy.MemoryQuotaStore;
import dev.spillway.gateway.tenancy.RedisQuotaStore;
import dev.spillway.gateway.tenancy.SpendHistory;
import dev.spillway.gateway.tenancy.Tenancy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A running gateway: {@code server.eventLoops} event loops, each serving HTTP connections and owning
 * some of the models. Model {@code i} (in configuration order) lives on loop {@code i mod N}: its
 * scheduler, router and emulated engines run there on that loop's clock, and nothing else writes
 * them. See docs/architecture.md, "Threads". Every finished request is recorded in the usage
 * {@link Ledger}, whose writer has a thread of its own.
 */
public final class GatewayApp {

  /**
   * How long cancelled requests have to end (their usage recorded, their 503 or error event written)
   * before the connections still open are closed.
   */
  static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

  /**
   * What a graceful shutdown did.
   *
   * @param inFlight generation requests in flight when it began
   * @param cancelled those still in flight when the drain timeout passed, which were cancelled
   */
  public record Drained(int inFlight, int cancelled) {}

  private final GatewayCore core;
  private final GatewayServer server;
  private final List<Context> loops;
  private final Tenancy tenancy;
  private final Ledger ledger;
  private final Vertx vertx;
  private final Duration drainTimeout;
  private Future<Drained> draining;

  private GatewayApp(
      Vertx vertx, GatewayCore core, GatewayServer server, List<Context> loops, Tenancy tenancy,
      Ledger ledger, Duration drainTimeout) {
    this.vertx = vertx;
    this.drainTimeout = drainTimeout;
    this.core = core;
    this.server = server;
    this.loops = List.copyOf(loops);
    this.tenancy = tenancy;
    this.ledger = ledger;
  }

  /**
   * Opens the ledger (reading what it holds), builds the core from {@code config} and starts
   * listening, with budgets starting from the spend the ledger holds; fails on an open gateway (no
   * tenants) on an address other than loopback, a ledger directory it cannot write, a bad pool or a
   * taken port.
   */
  public static Future<GatewayApp> start(Vertx vertx, GatewayConfig config, Profiles profiles) {
    return start(vertx, config, profiles, null);
  }

  /**
   * As {@link #start(Vertx, GatewayConfig, Profiles)}, with budgets starting from what {@code history}
   * says each tenant has spent in its current period (read once, off the event loops) instead of
   * from the ledger; null for the ledger.
   */
  public static Future<GatewayApp> start(
      Vertx vertx, GatewayConfig config, Profiles profiles, SpendHistory history) {
    requireNonNull(vertx, "vertx");
    requireNonNull(config, "config");
    requireNonNull(profiles, "profiles");
    try {
      LoopbackRule.check(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    // Reading the ledger's files blocks: off the event loops.
    return vertx
        .executeBlocking(() -> Ledger.open(config.ledger()))
        .compose(
            ledger ->
                start(vertx, config, profiles, ledger, history != null ? history : ledger)
                    .recover(e -> closeLedger(vertx, ledger).transform(x -> Future.failedFuture(e))));
  }

  private static Future<GatewayApp> start(
      Vertx vertx, GatewayConfig config, Profiles profiles, Ledger ledger, SpendHistory history) {
    PrometheusGatewayMetrics metrics = new PrometheusGatewayMetrics();
    Tenancy tenancy;
    Runnable preload;
    if (config.keyed() && config.cluster().redis().isPresent()) {
      RedisQuotaStore store =
          new RedisQuotaStore(
              vertx, config.cluster().redis().get(), config.cluster().onRedisFailure(),
              InstantSource.system(), history, metrics);
      tenancy = Tenancy.of(config, store, ListPrices.of(config.models(), profiles));
      preload = () -> store.preload(Tenancy.limits(config));
    } else {
      MemoryQuotaStore store = new MemoryQuotaStore(InstantSource.system(), history);
      if (config.keyed()) {
        metrics.quotaStoreUp("memory", true);
      }
      tenancy = Tenancy.of(config, store, ListPrices.of(config.models(), profiles));
      preload = () -> store.preload(Tenancy.limits(config));
    }
    return vertx
        .executeBlocking(
            () -> {
              preload.run();
              return null;
            })
        .compose(v -> start(vertx, config, profiles, tenancy, metrics, ledger))
        .recover(e -> Future.fromCompletionStage(tenancy.close()).transform(x -> Future.failedFuture(e)));
  }

  private static Future<GatewayApp> start(
      Vertx vertx, GatewayConfig config, Profiles profiles, Tenancy tenancy,
      PrometheusGatewayMetrics metrics, Ledger ledger) {
    int n = config.server().eventLoops();
    List<Context> loops = new ArrayList<>(n);
    List<BackendContext> backends = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      // A new event-loop context on the next loop of the pool, in turn: n distinct loops when the
      // pool has at least n (GatewayMain sizes it so).
      Context loop = ((VertxInternal) vertx).createEventLoopContext();
      loops.add(loop);
      backends.add(
          new BackendContext(
              new VertxClock(loop), Map.of(Vertx.class, vertx, Profiles.class, profiles)));
    }
    Map<String, BackendContext> byModel = new HashMap<>();
    List<ModelConfig> models = config.models();
    for (int i = 0; i < models.size(); i++) {
      byModel.put(models.get(i).name(), backends.get(i % n));
    }
    GatewayCore core;
    try {
      core = new GatewayCore(config, model -> byModel.get(model.name()), metrics);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    core.sampleLoadEvery(Duration.ofSeconds(1));
    return GatewayServer.start(
            vertx, loops, core, tenancy, config.server(), metrics::scrape, metrics, ledger,
            ProfileRouter.of(config))
        .map(
            server ->
                new GatewayApp(
                    vertx, core, server, loops, tenancy, ledger, config.server().drainTimeout()))
        .recover(
            e ->
                Future.fromCompletionStage(core.closeAsync())
                    .transform(closed -> Future.failedFuture(e)));
  }

  public int port() {
    return server.port();
  }

  public GatewayCore core() {
    return core;
  }

  /** The event loops serving HTTP and owning the models. */
  public List<Context> loops() {
    return loops;
  }

  /** Generation requests in flight: arrived and not yet answered. */
  public int inFlight() {
    return server.inFlight();
  }

  /** The usage ledger: what budgets read their spend from at start. */
  public Ledger ledger() {
    return ledger;
  }

  /** As {@link #drain(Duration)} with {@code server.drainTimeout}: what SIGTERM runs. */
  public Future<Drained> shutdown() {
    return drain(drainTimeout);
  }

  /**
   * Shuts down gracefully. At once, {@code GET /ready} answers 503 {@code draining} and new
   * generation requests a 503 {@code service_unavailable}; the requests in flight have up to {@code
   * timeout} to finish. Those still running then are cancelled — a stream ends with an error event,
   * any other gets a 503, and each is recorded in the ledger as cancelled — and have {@link
   * #CANCEL_GRACE} to end before the gateway {@linkplain #close closes}, which makes the ledger
   * durable. Idempotent: a second call returns the first's future.
   */
  public synchronized Future<Drained> drain(Duration timeout) {
    requireNonNull(timeout, "timeout");
    if (draining == null) {
      int inFlight = server.drain();
      draining =
          within(server.idle(), timeout)
              .compose(
                  idle -> {
                    if (idle) {
                      return Future.succeededFuture(0);
                    }
                    int left = server.inFlight();
                    return server
                        .cancelInFlight()
                        .compose(told -> within(server.idle(), CANCEL_GRACE))
                        .map(ended -> left);
                  })
              .compose(cancelled -> close().map(closed -> new Drained(inFlight, cancelled)));
    }
    return draining;
  }

  /** True when {@code stage} completes within {@code timeout}, false when the timeout passes first. */
  private Future<Boolean> within(CompletionStage<Void> stage, Duration timeout) {
    Promise<Boolean> outcome = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> outcome.tryComplete(false));
    stage.whenComplete(
        (v, e) -> {
          vertx.cancelTimer(timer);
          outcome.tryComplete(true);
        });
    return outcome.future();
  }

  /**
   * Stops listening, then closes every pool (cancelling what is in flight), then makes every queued
   * usage record durable and closes the ledger.
   */
  public Future<Void> close() {
    return server
        .close()
        .eventually(() -> Future.fromCompletionStage(core.closeAsync()))
        .eventually(() -> Future.fromCompletionStage(tenancy.close()))
        .eventually(() -> closeLedger(vertx, ledger));
  }

  private static Future<Void> closeLedger(Vertx vertx, Ledger ledger) {
    return vertx.executeBlocking(
        () -> {
          ledger.close();
          return null;
        });
  }
}
