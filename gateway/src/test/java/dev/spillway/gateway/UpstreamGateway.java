package dev.spillway.gateway;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway on port 0 with one model served by one {@code upstream} pool, over a scripted
 * upstream on a Vert.x server of the test's making; both on loopback.
 */
final class UpstreamGateway implements AutoCloseable {

  final Vertx vertx = Vertx.vertx();
  final GatewayApp app;

  /**
   * @param model the model's name, as clients send it
   * @param poolSettings extra lines under the pool (YAML, indented by eight spaces), or ""
   * @param upstream answers each request the gateway sends upstream
   */
  UpstreamGateway(String model, String poolSettings, Handler<HttpServerRequest> upstream)
      throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(upstream)
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    String yaml =
        "models:\n"
            + "  - name: " + model + "\n"
            + "    pools:\n"
            + "      - kind: upstream\n"
            + "        url: http://127.0.0.1:" + server.actualPort() + "/v1\n"
            // The scripted upstream answers what the test sends, not health checks.
            + (poolSettings.contains("healthCheck") ? "" : "        healthCheck: false\n")
            + poolSettings;
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    config =
        config
            .withServer(config.server().withAddress("127.0.0.1", 0))
            .withLedger(LedgerConfig.disabled());
    app =
        GatewayApp.start(vertx, config, Profiles.builtIn())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  int port() {
    return app.port();
  }

  @Override
  public void close() throws Exception {
    app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
