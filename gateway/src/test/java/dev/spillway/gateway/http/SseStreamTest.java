package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.gateway.core.GatewayError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streamed responses on the raw wire: exact SSE bytes, the end of the body, errors, disconnects. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SseStreamTest {

  private static final Pattern ID_AND_CREATED =
      Pattern.compile("^data: \\{\"id\":\"([^\"]+)\",\"object\":\"[a-z._]+\",\"created\":(\\d+),");
  private static final String SPILLWAY =
      "\"spillway\":{\"pool\":\"llama-3.3-70b@trn2\",\"replica\":\"llama-3.3-70b@trn2/0\","
          + "\"cost_usd\":0.0000125,\"price_usd\":0.00045,\"queue_ms\":1.500}";

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @AfterEach
  void resetScript() {
    assertThat(server.gateway.callsOffCoreThread).hasValue(0);
    server.gateway.reset();
  }

  @Test
  void streamsExactChatChunksThenDoneThenEndsTheBodyOnAKeptAliveConnection() throws Exception {
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/chat/completions", TestServer.chat("\"stream\":true,\"max_tokens\":100"));

      assertThat(raw.status).isEqualTo(200);
      assertThat(raw.headers).containsEntry("content-type", "text/event-stream")
          .containsEntry("transfer-encoding", "chunked")
          .containsEntry("x-spillway-pool", ScriptedGateway.POOL)
          .containsEntry("x-spillway-attempts", "1")
          .containsKey("x-request-id")
          .doesNotContainKey("openai-processing-ms");
      String body = raw.chunkedBody(); // returns only once the terminal chunk arrived

      String prefix = prefix(body, "chat.completion.chunk");
      StringBuilder expected = new StringBuilder();
      expected.append(prefix).append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},")
          .append("\"logprobs\":null,\"finish_reason\":null}]}\n\n");
      for (String token : ScriptedGateway.TOKENS) {
        expected.append(prefix).append("{\"index\":0,\"delta\":{\"content\":").append(quote(token))
            .append("},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
      }
      expected.append(prefix).append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],")
          .append(SPILLWAY).append("}\n\n");
      expected.append("data: [DONE]\n\n");
      assertThat(body).isEqualTo(expected.toString());

      // The body ended, the connection did not: it serves the next request.
      raw.get("/health");
      assertThat(raw.status).isEqualTo(200);
      assertThat(raw.fixedBody()).isEqualTo("{\"status\":\"ok\"}");
    }
  }

  @Test
  void sendsOneUsageChunkWithEmptyChoicesAndTheSpillwayFactsOnlyWhenAskedFor() throws Exception {
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post(
          "/v1/chat/completions",
          TestServer.chat("\"stream\":true,\"max_tokens\":2,\"stream_options\":{\"include_usage\":true}"));
      String body = raw.chunkedBody();

      String prefix = prefix(body, "chat.completion.chunk");
      int promptTokens = server.gateway.lastSubmitted().promptTokens();
      String expected =
          prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
              + "\"finish_reason\":null}],\"usage\":null}\n\n"
              + prefix + "{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,"
              + "\"finish_reason\":null}],\"usage\":null}\n\n"
              + prefix + "{\"index\":0,\"delta\":{\"content\":\",\"},\"logprobs\":null,"
              + "\"finish_reason\":null}],\"usage\":null}\n\n"
              + prefix + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}],"
              + "\"usage\":null}\n\n"
              + prefix + "],\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":2,"
              + "\"total_tokens\":" + (promptTokens + 2) + "}," + SPILLWAY + "}\n\n"
              + "data: [DONE]\n\n";
      assertThat(body).isEqualTo(expected);
    }
  }

  @Test
  void sendsNoEmptyChoicesChunkWithoutIncludeUsage() throws Exception {
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post(
          "/v1/chat/completions",
          TestServer.chat("\"stream\":true,\"stream_options\":{\"include_usage\":false}"));
      List<String> events = events(raw.chunkedBody());

      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      for (String event : events.subList(0, events.size() - 1)) {
        JsonNode chunk = TestServer.JSON.readTree(event);
        assertThat(chunk.path("choices")).hasSize(1);
        assertThat(chunk.has("usage")).isFalse();
      }
      JsonNode last = TestServer.JSON.readTree(events.get(events.size() - 2));
      assertThat(last.path("spillway").path("pool").asText()).isEqualTo(ScriptedGateway.POOL);
    }
  }

  @Test
  void streamsTextCompletionChunksWithoutARoleChunk() throws Exception {
    String body =
        "{\"model\":\"llama-3.3-70b\",\"prompt\":\"Once upon a time\",\"max_tokens\":1,\"stream\":true}";
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/completions", body);
      String sse = raw.chunkedBody();

      String prefix = prefix(sse, "text_completion");
      assertThat(prefix).contains("\"id\":\"cmpl-");
      assertThat(sse).isEqualTo(
          prefix + "{\"text\":\"Hello\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}\n\n"
              + prefix + "{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}],"
              + SPILLWAY + "}\n\n"
              + "data: [DONE]\n\n");
    }
  }

  @Test
  void putsRunningUsageOnEveryChunkWithContinuousUsageStats() throws Exception {
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post(
          "/v1/chat/completions",
          TestServer.chat("\"stream\":true,\"max_tokens\":3,"
              + "\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":true}"));
      List<String> events = events(raw.chunkedBody());

      // role, 3 tokens, finish, usage, [DONE]
      assertThat(events).hasSize(7);
      List<Integer> completion = new ArrayList<>();
      for (String event : events.subList(0, 6)) {
        completion.add(TestServer.JSON.readTree(event).path("usage").path("completion_tokens").asInt(-1));
      }
      assertThat(completion).containsExactly(0, 1, 2, 3, 3, 3);
    }
  }

  @Test
  void answersAnErrorBeforeTheFirstTokenWithARealStatus() throws Exception {
    server.gateway.script =
        request -> new ScriptedGateway.Script(
            List.of(), 2, FinishReason.STOP, null,
            GatewayError.retryable(
                GatewayError.Kind.UNAVAILABLE, "no replica took the request", Duration.ofMillis(2500)));
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/chat/completions", TestServer.chat("\"stream\":true"));

      assertThat(raw.status).isEqualTo(503);
      assertThat(raw.headers).containsEntry("retry-after", "3").containsEntry("retry-after-ms", "2500")
          .containsEntry("content-type", "application/json").containsKey("x-request-id");
      JsonNode error = TestServer.JSON.readTree(raw.fixedBody()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("server_error");
      assertThat(error.path("message").asText()).isEqualTo("no replica took the request");
    }
  }

  @Test
  void endsTheStreamWithAnErrorEventWhenTheBackendFailsAfterTheFirstToken() throws Exception {
    server.gateway.script =
        request -> ScriptedGateway.Script.forRequest(request)
            .failingAfterTokens(GatewayError.of(GatewayError.Kind.BACKEND, "replica lost"));
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/chat/completions", TestServer.chat("\"stream\":true,\"max_tokens\":2"));
      List<String> events = events(raw.chunkedBody());

      assertThat(raw.status).isEqualTo(200);
      assertThat(events).hasSize(4); // role, 2 tokens, error; no [DONE]
      assertThat(events.get(3)).isEqualTo(
          "{\"error\":{\"message\":\"replica lost\",\"type\":\"server_error\",\"param\":null,"
              + "\"code\":\"backend_error\"}}");
    }
  }

  @Test
  void cancelsTheRequestWhenTheClientDisconnectsMidStream() throws Exception {
    server.gateway.script =
        request -> new ScriptedGateway.Script(
            Collections.nCopies(500, " tok"), 10, FinishReason.STOP, null, null);
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/chat/completions", TestServer.chat("\"stream\":true,\"max_tokens\":1000"));
      assertThat(raw.status).isEqualTo(200);
      assertThat(new String(raw.chunk(), StandardCharsets.UTF_8)).startsWith("data: {");
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (server.gateway.cancels.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.gateway.cancels).hasValue(1);
  }

  // ---------------------------------------------------------------- helpers

  /** The text every chunk of {@code body} starts with, up to its choices, taken from the first. */
  private static String prefix(String body, String object) {
    Matcher m = ID_AND_CREATED.matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return "data: {\"id\":\"" + m.group(1) + "\",\"object\":\"" + object + "\",\"created\":" + m.group(2)
        + ",\"model\":\"" + ScriptedGateway.CHAT_MODEL + "\",\"choices\":[";
  }

  /** The data of each event; asserts the exact framing {@code data: …\n\n}. */
  private static List<String> events(String body) {
    assertThat(body).endsWith("\n\n");
    List<String> events = new ArrayList<>();
    for (String event : body.substring(0, body.length() - 2).split("\n\n", -1)) {
      assertThat(event).startsWith("data: ").doesNotContain("\n").doesNotContain("\r");
      events.add(event.substring("data: ".length()));
    }
    return events;
  }

  private static String quote(String text) throws Exception {
    return TestServer.JSON.writeValueAsString(text);
  }
}
