package dev.spillway.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.config.ServerConfig;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.ContextInternal;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The gateway's HTTP server: the OpenAI API ({@code /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/embeddings}, {@code /v1/models}), {@code /health}, {@code /ready}, {@code /metrics} and
 * {@code /admin/pools}. docs/api.md describes the wire contract.
 *
 * <p>Threading. The core is single-threaded: every call into {@link Gateway} must run on its context.
 * The server is therefore created and bound from code running on that context, and Vert.x runs a
 * server's connections on the event loop of the context that bound it, so every handler and every
 * {@link io.vertx.core.http.HttpServerResponse} write runs on the core's thread, and the core's
 * listener callbacks write to responses without hopping threads. The cost is that HTTP parsing and
 * JSON work share that one event loop with the core; the gateway scales out by processes (see
 * ARCHITECTURE.md, scale-out), and the work per request is bounded by the body limit. The context
 * must be an event-loop context, as {@code VertxClock} makes for the core.
 */
public final class GatewayServer {

  private final HttpServer server;
  private Future<Void> closing;

  private GatewayServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Listens on {@code config}'s host and port (0 picks a free port) with handlers on
   * {@code coreContext}. Fails with the bind error when the port is taken.
   *
   * @param metricsScrape the Prometheus text for {@code GET /metrics}
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      Context coreContext,
      Gateway gateway,
      ServerConfig config,
      Supplier<String> metricsScrape) {
    return start(vertx, coreContext, gateway, config, metricsScrape, GatewayMetrics.NOOP);
  }

  /**
   * As above, recording the gateway's own time per request (parse, validate, tokenise, admit) in
   * {@code metrics}.
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      Context coreContext,
      Gateway gateway,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics) {
    requireNonNull(metrics, "metrics");
    requireNonNull(vertx, "vertx");
    requireNonNull(coreContext, "coreContext");
    requireNonNull(gateway, "gateway");
    requireNonNull(config, "config");
    requireNonNull(metricsScrape, "metricsScrape");
    if (!coreContext.isEventLoopContext()) {
      throw new IllegalArgumentException(
          "coreContext: " + coreContext + " (expected: an event-loop context)");
    }
    ContextInternal core = (ContextInternal) coreContext;
    Promise<GatewayServer> started = Promise.promise();
    // The tokenizer's vocabulary loads off the event loop, before the first request needs it.
    vertx
        .executeBlocking(
            () -> {
              OpenAiParser.warmUp();
              return null;
            })
        .onFailure(started::fail)
        .onSuccess(
            v ->
                core.runOnContext(
                    w -> listen(vertx, core, gateway, config, metricsScrape, metrics, started)));
    return started.future();
  }

  /** Creates and binds the server; runs on the core's context. */
  private static void listen(
      Vertx vertx,
      ContextInternal core,
      Gateway gateway,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics,
      Promise<GatewayServer> started) {
    try {
      HttpApi api =
          new HttpApi(
              vertx, core, gateway, config, metricsScrape, metrics, new SplittableRandom(),
              System::nanoTime, System::currentTimeMillis);
      HttpServer server =
          vertx.createHttpServer(
              new HttpServerOptions()
                  .setHost(config.host())
                  .setPort(config.port())
                  // curl sends "Expect: 100-continue" for bodies over 1 KiB and otherwise waits a
                  // second for the answer.
                  .setHandle100ContinueAutomatically(true)
                  // HTTP/1.1 only on plain connections: Java's HttpClient offers an h2c upgrade on
                  // every GET, and upgraded connections after the first hung (decisions.md).
                  .setHttp2ClearTextEnabled(false));
      // listen() here, on the core's context, binds the connections to its event loop.
      server.requestHandler(api.router()).listen().map(GatewayServer::new).onComplete(started);
    } catch (RuntimeException e) {
      started.fail(e);
    }
  }

  /** The port listened on; the chosen one when started with port 0. */
  public int port() {
    return server.actualPort();
  }

  /** Stops listening and closes open connections, which cancels their requests. Idempotent. */
  public synchronized Future<Void> close() {
    if (closing == null) {
      closing = server.close();
    }
    return closing;
  }
}
