package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On the gateway's transport the server speaks cleartext HTTP/2 to clients with prior knowledge and
 * answers h2c upgrade requests over HTTP/1.1.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CleartextHttp2Test {

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** Regression: Java's HttpClient offers an h2c upgrade on each GET; upgraded connections hung. */
  @Test
  void javasDefaultHttpClientIsAnsweredOverHttp11ThoughItAsksToUpgrade() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.base + "/v1/models")).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(response.body()).contains(ScriptedGateway.CHAT_MODEL);
    }
  }

  @Test
  void aClientWithPriorKnowledgeIsServedOverHttp2() throws Exception {
    io.vertx.core.http.HttpClient client =
        server.vertx.createHttpClient(
            new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    try {
      for (int i = 0; i < 3; i++) {
        var response =
            client
                .request(HttpMethod.GET, server.port(), "127.0.0.1", "/health")
                .compose(request -> request.send())
                .compose(r -> r.body().map(body -> new Object[] {r.version(), body.toString()}))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(response[0]).isEqualTo(HttpVersion.HTTP_2);
        assertThat(response[1]).isEqualTo("{\"status\":\"ok\"}");
      }
    } finally {
      client.close();
    }
  }

  @Test
  void dropsOnlyTheUpgradeHeadersOfTheFirstHead() {
    String head =
        "GET /v1/models HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nContent-Length: 0\r\n"
            + "Host: localhost\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\nUpgrade: h2c\r\n"
            + "User-Agent: Java-http-client/17";

    assertThat(UpgradeRefusal.withoutUpgrade(head))
        .isEqualTo(
            "GET /v1/models HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nContent-Length: 0\r\n"
                + "Host: localhost\r\nUser-Agent: Java-http-client/17");
    assertThat(UpgradeRefusal.withoutUpgrade("GET / HTTP/1.1\r\nUpgrade: websocket")).isNull();
    assertThat(UpgradeRefusal.withoutUpgrade("PRI * HTTP/2.0")).isNull();
  }
}
