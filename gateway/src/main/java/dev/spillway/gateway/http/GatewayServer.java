package dev.spillway.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.api.bedrock.ProfileRouter;
import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.config.ServerConfig;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.gateway.tenancy.Tenancy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The gateway's HTTP server: the OpenAI API ({@code /v1/chat/completions}, {@code /v1/completions},
 * {@code /v1/embeddings}, {@code /v1/models}), the Bedrock Runtime API ({@code /model/{id}/converse}
 * and its kin, {@link BedrockApi}), {@code /health}, {@code /ready}, {@code /metrics},
 * {@code /admin/pools} and {@code /admin/usage}. docs/api.md describes the wire contract. On the
 * {@link GatewayTransport} it speaks cleartext HTTP/2 to clients with prior knowledge besides HTTP/1.1.
 *
 * <p>Threading. One server per event loop, all sharing one port: Vert.x hands each new connection to
 * the next loop in turn, and every handler and write of that connection runs on its loop. The work a
 * request needs no shared state for — reading and parsing the body, counting prompt tokens, encoding
 * the answer, SSE — happens there. The core is reached through {@link Gateway}, which may be called
 * from any thread and answers on the loop's {@link ContextExecutor}: the exchange's home.
 */
public final class GatewayServer {

  /** Distinct negative ports: servers listening on the same one share one random port. */
  private static final AtomicInteger RANDOM_PORTS = new AtomicInteger();

  private final List<HttpServer> servers;
  /** Each loop's routes, to cancel what is in flight there on that loop. */
  private final List<Served> served;
  private final InFlight inFlight;
  private Future<Void> closing;

  /** One loop's server and its routes. */
  private record Served(Context loop, HttpApi api, HttpServer server) {}

  private GatewayServer(List<Served> served, InFlight inFlight) {
    this.served = List.copyOf(served);
    this.inFlight = inFlight;
    List<HttpServer> all = new ArrayList<>(served.size());
    served.forEach(s -> all.add(s.server()));
    this.servers = List.copyOf(all);
  }

  /**
   * Listens on {@code config}'s host and port (0 picks a free port) with one server on each of
   * {@code loops}, recording the gateway's own time per request in {@code metrics}. Fails with the
   * bind error when the port is taken.
   *
   * @param loops event-loop contexts, one per server
   * @param metricsScrape the Prometheus text for {@code GET /metrics}
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      List<? extends Context> loops,
      Gateway gateway,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics) {
    return start(vertx, loops, gateway, Tenancy.OPEN, config, metricsScrape, metrics, Ledger.disabled());
  }

  /**
   * As {@link #start(Vertx, List, Gateway, ServerConfig, Supplier, GatewayMetrics)}, with requests
   * authenticated, authorised and held to their tenant's limits by {@code tenancy}, and every finished
   * request's usage recorded in {@code ledger}: a response's last bytes go out once its record is
   * durable.
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      List<? extends Context> loops,
      Gateway gateway,
      Tenancy tenancy,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics,
      Ledger ledger) {
    return start(vertx, loops, gateway, tenancy, config, metricsScrape, metrics, ledger, ProfileRouter.NONE);
  }

  /**
   * As {@link #start(Vertx, List, Gateway, Tenancy, ServerConfig, Supplier, GatewayMetrics, Ledger)},
   * with Bedrock's cross-region inference profiles routed by {@code profiles}.
   */
  public static Future<GatewayServer> start(
      Vertx vertx,
      List<? extends Context> loops,
      Gateway gateway,
      Tenancy tenancy,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics,
      Ledger ledger,
      ProfileRouter profiles) {
    requireNonNull(profiles, "profiles");
    requireNonNull(metrics, "metrics");
    requireNonNull(tenancy, "tenancy");
    requireNonNull(ledger, "ledger");
    requireNonNull(vertx, "vertx");
    requireNonNull(loops, "loops");
    requireNonNull(gateway, "gateway");
    requireNonNull(config, "config");
    requireNonNull(metricsScrape, "metricsScrape");
    if (loops.isEmpty()) {
      throw new IllegalArgumentException("loops: [] (expected: at least one event-loop context)");
    }
    for (Context loop : loops) {
      if (!loop.isEventLoopContext()) {
        throw new IllegalArgumentException("loops: " + loop + " (expected: event-loop contexts)");
      }
    }
    // Port 0 for several servers: a negative port asks Vert.x for one random port they all share.
    int port = config.port() == 0 ? -RANDOM_PORTS.incrementAndGet() : config.port();
    InFlight inFlight = new InFlight();
    // The tokenizer's vocabulary loads off the event loops, before the first request needs it.
    return vertx
        .executeBlocking(
            () -> {
              OpenAiParser.warmUp();
              return null;
            })
        .compose(
            v -> {
              List<Future<Served>> listening = new ArrayList<>(loops.size());
              for (Context loop : loops) {
                Promise<Served> bound = Promise.promise();
                loop.runOnContext(
                    w ->
                        listen(
                            vertx, loop, port, gateway, tenancy, config, metricsScrape, metrics,
                            ledger, profiles, inFlight, bound));
                listening.add(bound.future());
              }
              return Future.all(listening)
                  .map(
                      all -> {
                        List<Served> served = new ArrayList<>(loops.size());
                        for (int i = 0; i < loops.size(); i++) {
                          served.add(all.resultAt(i));
                        }
                        return new GatewayServer(served, inFlight);
                      })
                  .recover(
                      e -> {
                        // Close whichever did bind, then report the failure.
                        List<Future<Void>> closing = new ArrayList<>();
                        for (Future<Served> f : listening) {
                          if (f.succeeded()) {
                            closing.add(f.result().server().close());
                          }
                        }
                        return Future.join(closing).transform(x -> Future.failedFuture(e));
                      });
            });
  }

  /** Creates and binds one server; runs on its loop, which Vert.x then runs its connections on. */
  private static void listen(
      Vertx vertx,
      Context loop,
      int port,
      Gateway gateway,
      Tenancy tenancy,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics,
      Ledger ledger,
      ProfileRouter profiles,
      InFlight inFlight,
      Promise<Served> bound) {
    try {
      HttpApi api =
          new HttpApi(
              vertx, new ContextExecutor(loop), gateway, tenancy, config, metricsScrape, metrics,
              ledger, profiles, inFlight,
              new SplittableRandom(), System::nanoTime, System::currentTimeMillis);
      HttpServer server =
          vertx.createHttpServer(
              new HttpServerOptions()
                  .setHost(config.host())
                  .setPort(port)
                  // curl sends "Expect: 100-continue" for bodies over 1 KiB and otherwise waits a
                  // second for the answer.
                  .setHandle100ContinueAutomatically(true)
                  // Cleartext HTTP/2 with prior knowledge (the AWS SDKs' event streams) only where
                  // the transport refuses h2c upgrades: Java's HttpClient offers one on every GET, and
                  // upgraded connections after the first hung (decisions.md). Else HTTP/1.1 only.
                  .setHttp2ClearTextEnabled(GatewayTransport.refusesUpgrades(vertx)));
      server.requestHandler(api.router()).listen().map(s -> new Served(loop, api, s)).onComplete(bound);
    } catch (RuntimeException e) {
      bound.fail(e);
    }
  }

  /** The port listened on; the chosen one when started with port 0. */
  public int port() {
    return servers.get(0).actualPort();
  }

  /**
   * Starts draining: from now on {@code GET /ready} answers 503 {@code draining} and a new
   * generation request a 503 {@code service_unavailable} (closing its connection), while the
   * requests in flight go on. Returns how many are in flight. Idempotent.
   */
  public int drain() {
    return inFlight.drain();
  }

  /** Generation requests in flight: arrived and not yet answered. */
  public int inFlight() {
    return inFlight.count();
  }

  /**
   * Completes once {@link #drain} has started and no generation request is in flight; on the thread
   * that ended the last one.
   */
  public CompletionStage<Void> idle() {
    return inFlight.idle().minimalCompletionStage();
  }

  /**
   * Ends the requests still in flight, each on its loop: a stream with an error event, any other with
   * a 503 {@code service_unavailable}; their usage is recorded as cancelled. Call after
   * {@link #drain}; completes when every loop has been told, not when the responses have ended
   * ({@link #idle}).
   */
  public Future<Void> cancelInFlight() {
    List<Future<Void>> told = new ArrayList<>(served.size());
    for (Served s : served) {
      Promise<Void> done = Promise.promise();
      s.loop().runOnContext(
          v -> {
            s.api().cancelInFlight();
            done.complete();
          });
      told.add(done.future());
    }
    return Future.all(told).mapEmpty();
  }

  /** Stops listening and closes open connections, which cancels their requests. Idempotent. */
  public synchronized Future<Void> close() {
    if (closing == null) {
      List<Future<Void>> all = new ArrayList<>(servers.size());
      for (HttpServer server : servers) {
        all.add(server.close());
      }
      closing = Future.all(all).mapEmpty();
    }
    return closing;
  }
}
