package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream that answers the gateway's streaming request with one plain {@code chat.completion}
 * (some providers do for some models): the client still gets the shape it asked for.
 */
class UpstreamJsonAnswerTest {

  private static final String ANSWER =
      "{\"id\":\"chatcmpl-up\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"plain-upstream\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Rivers reach the sea.\"},"
          + "\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":5,\"total_tokens\":13}}";

  private UpstreamGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway =
        new UpstreamGateway(
            "plain",
            "",
            request -> request.response().putHeader("content-type", "application/json").end(ANSWER));
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private HttpResponse<String> chat(String extra) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"plain\",\"max_tokens\":16,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aStreamingClientGetsAnSseStreamOfTheAnswer() throws Exception {
    HttpResponse<String> response = chat(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("text/event-stream");
    List<String> data = new ArrayList<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    StringBuilder content = new StringBuilder();
    String finish = null;
    JsonObject usage = null;
    for (String event : data.subList(0, data.size() - 1)) {
      JsonObject chunk = new JsonObject(event);
      assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
      if (!chunk.getJsonArray("choices").isEmpty()) {
        JsonObject choice = chunk.getJsonArray("choices").getJsonObject(0);
        content.append(choice.getJsonObject("delta").getString("content", ""));
        finish = choice.getString("finish_reason", finish);
      }
      if (chunk.getJsonObject("usage") != null) {
        usage = chunk.getJsonObject("usage");
      }
    }
    assertThat(content.toString()).isEqualTo("Rivers reach the sea.");
    assertThat(finish).isEqualTo("stop");
    assertThat(usage.getInteger("prompt_tokens")).isEqualTo(8);
    assertThat(usage.getInteger("completion_tokens")).isEqualTo(5);
  }

  @Test
  void aNonStreamingClientGetsOneChatCompletion() throws Exception {
    HttpResponse<String> response = chat("");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("object")).isEqualTo("chat.completion");
    assertThat(body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo("Rivers reach the sea.");
    assertThat(body.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);
  }
}
