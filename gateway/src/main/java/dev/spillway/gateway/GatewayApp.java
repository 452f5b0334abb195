package dev.spillway.gateway;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.time.VertxClock;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.core.GatewayCore;
import dev.spillway.gateway.http.GatewayServer;
import dev.spillway.gateway.metrics.PrometheusGatewayMetrics;
import dev.spillway.gateway.tenancy.ListPrices;
import dev.spillway.gateway.tenancy.LoopbackRule;
import dev.spillway.gateway.tenancy.MemoryQuotaStore;
import dev.spillway.gateway.tenancy.RedisQuotaStore;
import dev.spillway.gateway.tenancy.SpendHistory;
import dev.spillway.gateway.tenancy.Tenancy;
import java.time.InstantSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A running gateway: {@code server.eventLoops} event loops, each serving HTTP connections and owning
 * some of the models. Model {@code i} (in configuration order) lives on loop {@code i mod N}: its
 * scheduler, router and emulated engines run there on that loop's clock, and nothing else writes
 * them. See docs/architecture.md, "Threads".
 */
public final class GatewayApp {

  private final GatewayCore core;
  private final GatewayServer server;
  private final List<Context> loops;
  private final Tenancy tenancy;

  private GatewayApp(GatewayCore core, GatewayServer server, List<Context> loops, Tenancy tenancy) {
    this.core = core;
    this.server = server;
    this.loops = List.copyOf(loops);
    this.tenancy = tenancy;
  }

  /**
   * Builds the core from {@code config} and starts listening; fails on a bad pool, a taken port, or an
   * open gateway (no tenants) on an address other than loopback.
   */
  public static Future<GatewayApp> start(Vertx vertx, GatewayConfig config, Profiles profiles) {
    return start(vertx, config, profiles, SpendHistory.NONE);
  }

  /**
   * As {@link #start(Vertx, GatewayConfig, Profiles)}, with budgets starting from what {@code history}
   * says each tenant has spent in its current period (read once, off the event loops).
   */
  public static Future<GatewayApp> start(
      Vertx vertx, GatewayConfig config, Profiles profiles, SpendHistory history) {
    requireNonNull(vertx, "vertx");
    requireNonNull(config, "config");
    requireNonNull(profiles, "profiles");
    requireNonNull(history, "history");
    try {
      LoopbackRule.check(config);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
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
        .compose(v -> start(vertx, config, profiles, tenancy, metrics))
        .recover(e -> Future.fromCompletionStage(tenancy.close()).transform(x -> Future.failedFuture(e)));
  }

  private static Future<GatewayApp> start(
      Vertx vertx, GatewayConfig config, Profiles profiles, Tenancy tenancy,
      PrometheusGatewayMetrics metrics) {
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
    return GatewayServer.start(vertx, loops, core, tenancy, config.server(), metrics::scrape, metrics)
        .map(server -> new GatewayApp(core, server, loops, tenancy))
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

  /** Stops listening, then closes every pool (cancelling what is in flight). */
  public Future<Void> close() {
    return server
        .close()
        .eventually(() -> Future.fromCompletionStage(core.closeAsync()))
        .eventually(() -> Future.fromCompletionStage(tenancy.close()));
  }
}
