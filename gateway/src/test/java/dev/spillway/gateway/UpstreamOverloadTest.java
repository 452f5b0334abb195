package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers 429 with its own Retry-After: the gateway retries once, then tells the
 * client to come back when the upstream said, not after a guess of its own.
 */
class UpstreamOverloadTest {

  private UpstreamGateway gateway;

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void passesTheUpstreamsRetryAfterToTheClient() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    gateway =
        new UpstreamGateway(
            "busy",
            "        model: busy-upstream\n",
            request -> {
              calls.incrementAndGet();
              request
                  .response()
                  .setStatusCode(429)
                  .putHeader("content-type", "application/json")
                  .putHeader("Retry-After", "7")
                  .end(
                      new JsonObject()
                          .put("error", new JsonObject().put("message", "slow down").put("type", "requests"))
                          .encode());
            });

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"busy\",\"max_tokens\":5,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("retry-after")).contains("7");
    assertThat(response.headers().firstValue("retry-after-ms")).contains("7000");
    assertThat(new JsonObject(response.body()).getJsonObject("error").getString("message"))
        .contains("429");
    assertThat(calls.get()).as("one retry before giving up").isEqualTo(2);
  }
}
