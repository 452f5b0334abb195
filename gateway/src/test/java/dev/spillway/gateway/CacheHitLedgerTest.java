package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.ledger.LedgerReader;
import dev.spillway.gateway.ledger.UsageRecord;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A response-cache hit is recorded in the usage ledger as cached, at no cost, like any answer. */
class CacheHitLedgerTest {

  @TempDir Path ledger;

  @Test
  void aHitIsRecordedAsCachedWithNoCost() throws Exception {
    Vertx vertx = Vertx.vertx();
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "server: {host: 127.0.0.1, port: 0}\n"
                    + "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    cache: {}\n"
                    + "    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8}]\n"
                    + "ledger: {path: " + ledger + "}\n",
                "test");
    GatewayApp app =
        GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    List<String> caches = new ArrayList<>();
    try {
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"llama-3.1-8b\",\"temperature\":0,\"max_tokens\":8,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        caches.add(r.headers().firstValue("x-spillway-cache").orElse(""));
      }
    } finally {
      app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThat(caches).containsExactly("miss", "hit");

    List<UsageRecord> records = new ArrayList<>();
    LedgerReader.read(ledger, records::add);
    assertThat(records).hasSize(2);
    UsageRecord miss = records.get(0);
    UsageRecord hit = records.get(1);
    assertThat(miss.cached()).isFalse();
    assertThat(miss.costUsd()).isPositive();
    assertThat(hit.cached()).isTrue();
    assertThat(hit.costUsd()).isZero();
    assertThat(hit.priceUsd()).isZero();
    assertThat(hit.completionTokens()).isEqualTo(miss.completionTokens());
    assertThat(hit.pool()).isEqualTo(miss.pool());
  }
}
