package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The response cache in front of a scripted upstream: what an upstream does to the cache when it fails
 * midway, and how many times it is asked.
 */
class ResponseCacheUpstreamTest {

  private static final String CHUNK =
      "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":%s}]}\n\n";

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger calls = new AtomicInteger();
  private GatewayApp app;

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The first call breaks off after one token; every later one answers " a b" in full. */
  private void upstream(HttpServerRequest request) {
    int call = calls.incrementAndGet();
    request.response().setChunked(true).putHeader("content-type", "text/event-stream");
    if (call == 1) {
      request.response().write(String.format(CHUNK, " half", "null"));
      vertx.setTimer(50, t -> request.connection().close());
      return;
    }
    request.response()
        .end(String.format(CHUNK, " a", "null") + String.format(CHUNK, " b", "\"length\"")
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n"
            + "data: [DONE]\n\n");
  }

  private void start() throws Exception {
    HttpServer server =
        vertx.createHttpServer().requestHandler(this::upstream).listen(0, "127.0.0.1")
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "server: {host: 127.0.0.1, port: 0}\n"
                    + "models:\n"
                    + "  - name: m\n"
                    + "    cache: {}\n"
                    + "    pools:\n"
                    + "      - kind: upstream\n"
                    + "        url: http://127.0.0.1:" + server.actualPort() + "/v1\n"
                    + "        healthCheck: false\n",
                "test")
            .withLedger(LedgerConfig.disabled());
    app = GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private HttpResponse<String> ask() throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"m\",\"max_tokens\":2,\"temperature\":0,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAnswerCutShortIsRetriedUnseenAndOnlyTheCompleteOneIsStored() throws Exception {
    start();

    HttpResponse<String> retried = ask();
    HttpResponse<String> hit = ask();

    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(retried.headers().firstValue("x-spillway-attempts")).contains("2");
    assertThat(retried.headers().firstValue("x-spillway-cache")).contains("miss");
    assertThat(retried.body()).contains("\"content\":\" a b\"").doesNotContain("half");
    assertThat(hit.statusCode()).isEqualTo(200);
    assertThat(hit.headers().firstValue("x-spillway-cache")).contains("hit");
    assertThat(hit.body()).contains("\"content\":\" a b\"").contains("\"completion_tokens\":2");
    assertThat(calls.get()).as("upstream calls").isEqualTo(2);
  }
}
