package dev.spillway.backends.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The emulator server over real HTTP on a free port: wire shapes, errors, metrics, cancellation. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmulatorServerTest {

  static final String MODEL = "llama-3.3-70b";
  static final String PROMPT = "Write one sentence about rivers."; // 32 characters: 8 prompt tokens

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Encoding CL100K =
      Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  private static Vertx vertx;
  private static EmulatorServer server;
  private static HttpClient http;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        EmulatorServer.start(vertx, ServeOptions.of("trn2.48xlarge", MODEL).withReplicas(2))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- models, health, ids

  @Test
  void listsTheServedModel() throws Exception {
    HttpResponse<String> response = get("/v1/models");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("data")).hasSize(1);
    JsonNode model = body.path("data").get(0);
    assertThat(model.path("id").asText()).isEqualTo(MODEL);
    assertThat(model.path("object").asText()).isEqualTo("model");
    assertThat(model.path("owned_by").asText()).isEqualTo("spillway");
    assertThat(model.path("created").asLong()).isPositive();
  }

  @Test
  void answersHealth() throws Exception {
    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("status").asText()).isEqualTo("ok");
  }

  @Test
  void echoesTheClientsRequestIdAndMakesOneOtherwise() throws Exception {
    HttpResponse<String> echoed =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/health")).header("x-request-id", "bench-42").build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> first = get("/health");
    HttpResponse<String> second = get("/v1/models");
    HttpResponse<String> notFound = get("/nowhere");

    assertThat(echoed.headers().firstValue("x-request-id")).hasValue("bench-42");
    assertThat(first.headers().firstValue("x-request-id")).isPresent();
    assertThat(second.headers().firstValue("x-request-id")).isPresent()
        .isNotEqualTo(first.headers().firstValue("x-request-id"));
    assertThat(notFound.headers().firstValue("x-request-id")).isPresent();
  }

  // ---------------------------------------------------------------- chat completions

  @Test
  void completesWithoutStreamingWithUsageMatchingTheContent() throws Exception {
    HttpResponse<String> response = chat("\"max_tokens\":16,\"seed\":7");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("id").asText()).startsWith("chatcmpl-");
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").asLong()).isPositive();
    assertThat(body.path("model").asText()).isEqualTo(MODEL);
    JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.has("logprobs")).isTrue();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
    String content = choice.path("message").path("content").asText();
    JsonNode usage = body.path("usage");
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(16);
    assertThat(CL100K.countTokens(content)).isEqualTo(16);
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(promptTokens(PROMPT));
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(promptTokens(PROMPT) + 16);
  }

  @Test
  void acceptsAliasesUnknownFieldsNullsAndContentParts() throws Exception {
    String body =
        "{\"model\":\"meta-llama/Llama-3.3-70B-Instruct\",\"messages\":[{\"role\":\"system\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"abcd\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]},{\"role\":\"user\",\"content\":\"efgh\"}],"
            + "\"max_completion_tokens\":3,\"max_tokens\":99,\"stop\":null,\"seed\":null,\"ignore_eos\":true,"
            + "\"stream_options\":null,\"temperature\":0,\"top_p\":0.9,\"service_tier\":\"flex\",\"user\":\"team-a\"}";

    HttpResponse<String> response = post(body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.path("model").asText()).isEqualTo("meta-llama/Llama-3.3-70B-Instruct");
    assertThat(json.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
    assertThat(json.path("usage").path("prompt_tokens").asInt()).isEqualTo(2); // 8 characters
  }

  @Test
  void streamsExactSseFramesWithTheSameTextAsANonStreamingCall() throws Exception {
    String expected =
        JSON.readTree(chat("\"max_tokens\":12,\"seed\":1234").body())
            .path("choices").get(0).path("message").path("content").asText();

    HttpResponse<String> response =
        chat("\"max_tokens\":12,\"seed\":1234,\"stream\":true,\"stream_options\":{\"include_usage\":true}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<String> events = sseEvents(response.body());
    assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    List<JsonNode> chunks = new ArrayList<>();
    for (String data : events.subList(0, events.size() - 1)) {
      chunks.add(JSON.readTree(data));
    }
    // role, 12 tokens, finish, usage
    assertThat(chunks).hasSize(15);
    String id = chunks.get(0).path("id").asText();
    long created = chunks.get(0).path("created").asLong();
    for (JsonNode chunk : chunks) {
      assertThat(chunk.path("id").asText()).startsWith("chatcmpl-").isEqualTo(id);
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.path("created").asLong()).isEqualTo(created);
      assertThat(chunk.path("model").asText()).isEqualTo(MODEL);
    }
    JsonNode role = chunks.get(0).path("choices").get(0);
    assertThat(role.path("delta").path("role").asText()).isEqualTo("assistant");
    assertThat(role.path("delta").path("content").asText()).isEmpty();
    assertThat(role.path("finish_reason").isNull()).isTrue();
    StringBuilder text = new StringBuilder();
    for (JsonNode chunk : chunks.subList(1, 13)) {
      JsonNode choice = chunk.path("choices").get(0);
      assertThat(choice.path("finish_reason").isNull()).isTrue();
      assertThat(chunk.path("usage").isNull()).isTrue();
      text.append(choice.path("delta").path("content").asText());
    }
    assertThat(text.toString()).isEqualTo(expected);
    JsonNode finish = chunks.get(13).path("choices").get(0);
    assertThat(finish.path("delta").size()).isZero();
    assertThat(finish.path("finish_reason").asText()).isEqualTo("length");
    JsonNode usageChunk = chunks.get(14);
    assertThat(usageChunk.path("choices").isArray()).isTrue();
    assertThat(usageChunk.path("choices")).isEmpty();
    assertThat(usageChunk.path("usage").path("completion_tokens").asInt()).isEqualTo(12);
    assertThat(usageChunk.path("usage").path("prompt_tokens").asInt()).isEqualTo(promptTokens(PROMPT));
    assertThat(usageChunk.path("usage").path("total_tokens").asInt()).isEqualTo(promptTokens(PROMPT) + 12);
  }

  @Test
  void streamsWithoutAUsageChunkUnlessAskedAndEndsTheChunkedBody() throws Exception {
    String raw = rawExchange(chatBody("\"max_tokens\":3,\"stream\":true"));

    String head = raw.substring(0, raw.indexOf("\r\n\r\n"));
    assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
    String body = dechunk(raw.substring(raw.indexOf("\r\n\r\n") + 4));
    List<String> events = sseEvents(body);
    assertThat(events).hasSize(1 + 3 + 1 + 1);
    assertThat(body).endsWith("\n\ndata: [DONE]\n\n").doesNotContain("\"usage\"");
    assertThat(JSON.readTree(events.get(4)).path("choices").get(0).path("finish_reason").asText())
        .isEqualTo("length");
  }

  @Test
  void cancelsGenerationWhenTheClientDisconnects() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      writeRequest(socket.getOutputStream(), chatBody("\"max_tokens\":5000,\"stream\":true"));
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("\"delta\":{\"content\":")) {
        int b = in.read();
        assertThat(b).isNotNegative();
        seen.append((char) b);
      }
      assertThat(gauge("vllm:num_requests_running")).isEqualTo(1);
    }
    // 5000 tokens would take minutes; the disconnect must free the replica at once.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (gauge("vllm:num_requests_running") != 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(gauge("vllm:num_requests_running")).isZero();
    assertThat(gauge("vllm:kv_cache_usage_perc")).isZero();
  }

  // ---------------------------------------------------------------- bad input

  static Stream<Arguments> badRequests() {
    String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    return Stream.of(
        Arguments.of("malformed JSON", "{\"model\":\"" + MODEL + "\",", 400),
        Arguments.of("not an object", "[1,2]", 400),
        Arguments.of("empty body", "", 400),
        Arguments.of("missing messages", "{\"model\":\"" + MODEL + "\"}", 400),
        Arguments.of("empty messages", "{\"model\":\"" + MODEL + "\",\"messages\":[]}", 400),
        Arguments.of("messages of the wrong type", "{\"model\":\"" + MODEL + "\",\"messages\":\"hi\"}", 400),
        Arguments.of("content of the wrong type",
            "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", 400),
        Arguments.of("missing model", "{" + messages + "}", 400),
        Arguments.of("negative max_tokens", "{\"model\":\"" + MODEL + "\"," + messages + ",\"max_tokens\":-1}", 400),
        Arguments.of("zero max_completion_tokens",
            "{\"model\":\"" + MODEL + "\"," + messages + ",\"max_completion_tokens\":0}", 400),
        Arguments.of("fractional max_tokens", "{\"model\":\"" + MODEL + "\"," + messages + ",\"max_tokens\":1.5}", 400),
        Arguments.of("stream of the wrong type", "{\"model\":\"" + MODEL + "\"," + messages + ",\"stream\":\"yes\"}", 400),
        Arguments.of("temperature out of range", "{\"model\":\"" + MODEL + "\"," + messages + ",\"temperature\":3}", 400),
        Arguments.of("unknown service tier", "{\"model\":\"" + MODEL + "\"," + messages + ",\"service_tier\":\"gold\"}", 400),
        Arguments.of("stop of the wrong type", "{\"model\":\"" + MODEL + "\"," + messages + ",\"stop\":[1]}", 400),
        Arguments.of("more tokens than the replica holds",
            "{\"model\":\"" + MODEL + "\"," + messages + ",\"max_tokens\":2000000000,\"stream\":true}", 400),
        Arguments.of("more tokens than the replica holds, not streaming",
            "{\"model\":\"" + MODEL + "\"," + messages + ",\"max_tokens\":2000000000}", 400),
        Arguments.of("max_tokens that overflow with the prompt",
            "{\"model\":\"" + MODEL + "\"," + messages + ",\"max_tokens\":2147483647}", 400),
        Arguments.of("unknown model", "{\"model\":\"gpt-9\"," + messages + "}", 404));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void rejectsBadInputWithAnOpenAiErrorAndKeepsServing(String name, String body, int status)
      throws Exception {
    HttpResponse<String> response = post(body);

    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    JsonNode error = JSON.readTree(response.body()).path("error");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();

    assertThat(chat("\"max_tokens\":1").statusCode()).isEqualTo(200);
  }

  @Test
  void rejectsBodiesOverFourMebibytes() throws Exception {
    String padding = "x".repeat(4 * 1024 * 1024);
    HttpResponse<String> response =
        post("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + padding + "\"}]}");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    assertThat(JSON.readTree(response.body()).path("error").path("type").asText())
        .isEqualTo("invalid_request_error");
  }

  @Test
  void answersUnknownPathsWithAnOpenAiError() throws Exception {
    HttpResponse<String> response = get("/v1/nothing");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(response.body()).path("error").path("message").asText()).contains("/v1/nothing");
  }

  // ---------------------------------------------------------------- metrics

  @Test
  void exposesVllmMetricsThatAdvanceWithRequests() throws Exception {
    HttpResponse<String> before = get("/metrics");
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    for (String gauge : List.of("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc")) {
      assertThat(before.body())
          .contains("# HELP " + gauge + " ")
          .contains("# TYPE " + gauge + " gauge\n")
          .contains(gauge + "{model_name=\"" + MODEL + "\"} ");
    }
    for (String counter : List.of("vllm:prompt_tokens_total", "vllm:generation_tokens_total", "vllm:request_success_total")) {
      assertThat(before.body()).contains("# HELP " + counter + " ").contains("# TYPE " + counter + " counter\n");
    }

    assertThat(chat("\"max_tokens\":8").statusCode()).isEqualTo(200);

    String after = get("/metrics").body();
    assertThat(sum(after, "vllm:generation_tokens_total") - sum(before.body(), "vllm:generation_tokens_total"))
        .isEqualTo(8);
    assertThat(sum(after, "vllm:prompt_tokens_total") - sum(before.body(), "vllm:prompt_tokens_total"))
        .isEqualTo(promptTokens(PROMPT));
    assertThat(sum(after, "vllm:request_success_total") - sum(before.body(), "vllm:request_success_total"))
        .isEqualTo(1);
  }

  // ---------------------------------------------------------------- helpers

  static int promptTokens(String text) {
    return Math.max(1, (text.codePointCount(0, text.length()) + 3) / 4);
  }

  static String chatBody(String extra) {
    return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]"
        + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  private static HttpResponse<String> chat(String extra) throws Exception {
    return post(chatBody(extra));
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The data of each SSE event, checking that every event is exactly {@code data: ...\n\n}. */
  static List<String> sseEvents(String body) {
    assertThat(body).endsWith("\n\n");
    List<String> events = new ArrayList<>();
    int at = 0;
    while (at < body.length()) {
      int end = body.indexOf("\n\n", at);
      String event = body.substring(at, end);
      assertThat(event).startsWith("data: ").doesNotContain("\n").doesNotContain("\r");
      events.add(event.substring("data: ".length()));
      at = end + 2;
    }
    return events;
  }

  private static final Pattern SAMPLE = Pattern.compile("^([a-z_:]+)\\{[^}]*\\} (\\S+)$", Pattern.MULTILINE);

  /** The sum of a metric's samples over all label sets. */
  static double sum(String exposition, String name) {
    double total = 0;
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }

  private static double gauge(String name) throws Exception {
    return sum(get("/metrics").body(), name);
  }

  private static void writeRequest(OutputStream out, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + bytes.length + "\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** Sends one request on a raw socket and reads until the chunked body's terminator. */
  private static String rawExchange(String body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      writeRequest(socket.getOutputStream(), body);
      InputStream in = socket.getInputStream();
      StringBuilder raw = new StringBuilder();
      while (!raw.toString().endsWith("\r\n0\r\n\r\n")) {
        int b = in.read();
        assertThat(b).as("connection closed before the chunked body ended").isNotNegative();
        raw.append((char) b);
      }
      return raw.toString();
    }
  }

  /** The payload of an HTTP/1.1 chunked body (ASCII content only). */
  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
}
