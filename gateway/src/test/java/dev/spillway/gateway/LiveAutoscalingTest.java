package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An autoscaled emulated pool on the live clock, over HTTP: load makes it ask for replicas, which serve
 * after their provisioning delay, and it returns to its minimum when the load ends; {@code /admin/pools}
 * shows each stage and the bill grows with the replicas.
 */
class LiveAutoscalingTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newHttpClient();
  private GatewayApp app;

  @AfterEach
  void tearDown() throws Exception {
    if (app != null) {
      app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void scalesUpUnderLoadAndBackToItsMinimumAfter() throws Exception {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "server: {host: 127.0.0.1, port: 0}\n"
                    + "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    pools:\n"
                    + "      - kind: emulated\n"
                    + "        accelerator: p5.48xlarge\n"
                    + "        dtype: fp8\n"
                    + "        autoscale: {min: 1, max: 3, target: 2, interval: 100ms, scaleDownAfter: 300ms,"
                    + " provisioningDelay: 300ms}\n",
                "test")
            .withLedger(LedgerConfig.disabled());
    app = GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    long started = System.nanoTime();
    assertThat(pool().get("serving").asInt()).isEqualTo(1);

    // Twelve long requests at once: three times the target per replica.
    List<CompletableFuture<HttpResponse<String>>> load = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      load.add(http.sendAsync(
          HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(
                  "{\"model\":\"llama-3.1-8b\",\"max_tokens\":600,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
              .build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    JsonNode provisioning = awaitPool(p -> p.get("provisioning").asInt() > 0);
    assertThat(provisioning.get("serving").asInt() + provisioning.get("provisioning").asInt()).isEqualTo(3);
    assertThat(provisioning.get("replicas")).anyMatch(r -> r.get("state").asText().equals("provisioning"));
    awaitPool(p -> p.get("serving").asInt() == 3);

    for (CompletableFuture<HttpResponse<String>> response : load) {
      assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    JsonNode after = awaitPool(p -> p.get("serving").asInt() == 1 && p.get("draining").asInt() == 0);
    assertThat(after.get("provisioning").asInt()).isZero();
    // one replica all along, plus two billed from their request (0.3 s of provisioning each at least)
    double lived = (System.nanoTime() - started) / 1e9;
    assertThat(after.get("replica_seconds").asDouble()).isGreaterThan(lived + 0.6);
    assertThat(after.get("prediction_error").get("samples").asInt()).isEqualTo(12);
  }

  private String base() {
    return "http://127.0.0.1:" + app.port();
  }

  private JsonNode pool() throws Exception {
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(URI.create(base() + "/admin/pools")).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body()).get("pools").get(0);
  }

  /** Polls {@code /admin/pools} until the pool matches; fails after 30 s. */
  private JsonNode awaitPool(java.util.function.Predicate<JsonNode> condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      JsonNode pool = pool();
      if (condition.test(pool)) {
        return pool;
      }
      assertThat(System.nanoTime()).as("pool never reached the state; last: " + pool).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
