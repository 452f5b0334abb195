package dev.spillway.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stub upstream on port 0: its answers' shapes, and SSE events paced one interval apart. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StubUpstreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private StubUpstream stub(StubUpstream.Options options) throws Exception {
    return StubUpstream.start(vertx, options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void answersOneChatCompletionWhenTheRequestDoesNotStream() throws Exception {
    StubUpstream stub = stub(StubUpstream.Options.of(4, Duration.ZERO));

    HttpResponse<String> response = post(stub, false);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("choices").get(0).path("message").path("content").asText()).isEqualTo("tok tok tok tok");
    assertThat(body.path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void streamsOneTokenPerEventThenUsageAndDone() throws Exception {
    StubUpstream stub = stub(StubUpstream.Options.of(5, Duration.ZERO));

    for (int attempt = 0; attempt < 2; attempt++) { // the shared buffers survive being sent twice
      List<Timed> events = stream(stub);

      assertThat(events).hasSize(7);
      assertThat(events.get(6).data).isEqualTo("[DONE]");
      JsonNode first = JSON.readTree(events.get(0).data);
      assertThat(first.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(first.path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
      StringBuilder content = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        JsonNode choice = JSON.readTree(events.get(i).data).path("choices").get(0);
        content.append(choice.path("delta").path("content").asText());
        assertThat(choice.path("finish_reason").isNull()).isEqualTo(i < 4);
      }
      assertThat(content.toString()).isEqualTo("tok tok tok tok tok");
      assertThat(JSON.readTree(events.get(4).data).path("choices").get(0).path("finish_reason").asText())
          .isEqualTo("length");
      JsonNode usage = JSON.readTree(events.get(5).data);
      assertThat(usage.path("choices")).isEmpty();
      assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
    }
  }

  @Test
  void pacesEventsOneIntervalApart() throws Exception {
    StubUpstream stub = stub(StubUpstream.Options.of(6, Duration.ofMillis(60)));

    long sent = System.nanoTime();
    List<Timed> events = stream(stub);

    assertThat(events).hasSize(8);
    // Event i is due i intervals after the request arrived: never earlier, whatever the client's delays
    // (a late read shortens the next gap, since the stub keeps its schedule rather than drifting).
    for (int i = 0; i < 6; i++) {
      assertThat((events.get(i).nanos - sent) / 1e6).as("event %d, ms after sending", i)
          .isGreaterThanOrEqualTo(i * 60.0 - 2);
    }
    assertThat((events.get(5).nanos - sent) / 1e6).as("last token, ms after sending").isLessThan(5 * 60 * 3);
  }

  @Test
  void streamsWhenToldToEvenIfTheRequestDoesNot() throws Exception {
    StubUpstream stub = stub(new StubUpstream.Options("127.0.0.1", 0, 3, Duration.ZERO, StubUpstream.Answer.SSE, 2));

    HttpResponse<String> response = post(stub, false);

    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
  }

  private record Timed(long nanos, String data) {}

  private HttpResponse<String> post(StubUpstream stub, boolean stream) throws Exception {
    return http.send(request(stub, stream), HttpResponse.BodyHandlers.ofString());
  }

  private List<Timed> stream(StubUpstream stub) throws Exception {
    HttpResponse<Stream<String>> response = http.send(request(stub, true), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<Timed> events = new ArrayList<>();
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.startsWith("data: ")) {
          events.add(new Timed(System.nanoTime(), line.substring(6)));
        }
      }
    }
    return events;
  }

  private static HttpRequest request(StubUpstream stub, boolean stream) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stub.port() + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"stub\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\": " + stream + "}"))
        .build();
  }
}
