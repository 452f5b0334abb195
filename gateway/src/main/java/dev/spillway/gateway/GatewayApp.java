package dev.spillway.gateway;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.time.VertxClock;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.GatewayCore;
import dev.spillway.gateway.http.GatewayServer;
import dev.spillway.gateway.metrics.PrometheusGatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;

/**
 * A running gateway: the core on one Vert.x event-loop context, its clock on that context's timers,
 * and the HTTP server's handlers on the same context.
 */
public final class GatewayApp {

  private final GatewayCore core;
  private final GatewayServer server;
  private final Context context;

  private GatewayApp(GatewayCore core, GatewayServer server, Context context) {
    this.core = core;
    this.server = server;
    this.context = context;
  }

  /** Builds the core from {@code config} and starts listening; fails on a bad pool or a taken port. */
  public static Future<GatewayApp> start(Vertx vertx, GatewayConfig config, Profiles profiles) {
    requireNonNull(config, "config");
    Context context = vertx.getOrCreateContext();
    Promise<GatewayApp> started = Promise.promise();
    context.runOnContext(
        v -> {
          GatewayCore core;
          PrometheusGatewayMetrics metrics = new PrometheusGatewayMetrics();
          try {
            VertxClock clock = new VertxClock(context);
            BackendContext backends =
                new BackendContext(clock, Map.of(Vertx.class, vertx, Profiles.class, profiles));
            core = new GatewayCore(config, clock, backends, metrics);
            core.sampleLoadEvery(Duration.ofSeconds(1));
          } catch (RuntimeException e) {
            started.fail(e);
            return;
          }
          GatewayServer.start(vertx, context, core, config.server(), metrics::scrape, metrics)
              .onSuccess(server -> started.complete(new GatewayApp(core, server, context)))
              .onFailure(
                  e -> {
                    core.close();
                    started.fail(e);
                  });
        });
    return started.future();
  }

  public int port() {
    return server.port();
  }

  public GatewayCore core() {
    return core;
  }

  /** Runs {@code task} on the core's context (the core is single-threaded). */
  public void onCore(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  public Future<Void> close() {
    return server.close().eventually(() -> {
      Promise<Void> closed = Promise.promise();
      context.runOnContext(v -> {
        core.close();
        closed.complete();
      });
      return closed.future();
    });
  }
}
