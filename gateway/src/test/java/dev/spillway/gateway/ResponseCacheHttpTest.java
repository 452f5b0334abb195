package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The response cache over HTTP: the real gateway on port 0, one model with a cache and one emulated
 * pool, two event loops (so a request and its hit may arrive on different loops).
 */
class ResponseCacheHttpTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "llama-3.1-8b";

  private static Vertx vertx;
  private static GatewayApp app;
  private static String base;
  private static final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
                    + "models:\n"
                    + "  - name: " + MODEL + "\n"
                    + "    aliases: [meta-llama/Llama-3.1-8B-Instruct]\n"
                    + "    cache: {ttl: 10m, maxEntries: 1000}\n"
                    + "    pools:\n"
                    + "      - kind: emulated\n"
                    + "        accelerator: p5.48xlarge\n"
                    + "        dtype: fp8\n",
                "test")
            .withLedger(LedgerConfig.disabled());
    app = GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HttpResponse<String> post(String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static String chat(String content, String extra) {
    return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content
        + "\"}],\"max_tokens\":12" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /** The body without what differs per response by design: its id and creation time. */
  private static JsonNode answer(HttpResponse<String> response) throws Exception {
    JsonNode body = JSON.readTree(response.body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) body).remove(List.of("id", "created"));
    return body;
  }

  private static List<JsonNode> events(HttpResponse<String> response) throws Exception {
    List<JsonNode> events = new ArrayList<>();
    for (String block : response.body().split("\n\n")) {
      assertThat(block).startsWith("data: ");
      String data = block.substring("data: ".length());
      if (!data.equals("[DONE]")) {
        events.add(JSON.readTree(data));
      }
    }
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    return events;
  }

  private static String streamedContent(List<JsonNode> events) {
    StringBuilder text = new StringBuilder();
    for (JsonNode event : events) {
      for (JsonNode choice : event.get("choices")) {
        JsonNode content = choice.get("delta").get("content");
        if (content != null && !content.isNull()) {
          text.append(content.asText());
        }
      }
    }
    return text.toString();
  }

  @Test
  void theSameDeterministicRequestTwiceIsAHitWithTheSameAnswerAtNoCost() throws Exception {
    String body = chat("Tell me about caches.", "\"temperature\":0");
    HttpResponse<String> miss = post("/v1/chat/completions", body);
    HttpResponse<String> hit = post("/v1/chat/completions", body);

    assertThat(header(miss, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(hit, "x-spillway-cache")).isEqualTo("hit");
    assertThat(answer(hit)).isEqualTo(answer(miss));
    assertThat(answer(hit).get("usage").get("completion_tokens").asInt()).isEqualTo(12);
    assertThat(Double.parseDouble(header(miss, "x-spillway-cost-usd"))).isPositive();
    assertThat(Double.parseDouble(header(miss, "x-spillway-price-usd"))).isPositive();
    assertThat(Double.parseDouble(header(hit, "x-spillway-cost-usd"))).isZero();
    assertThat(Double.parseDouble(header(hit, "x-spillway-price-usd"))).isZero();
    assertThat(Double.parseDouble(header(hit, "x-spillway-queue-ms"))).isZero();
    assertThat(header(hit, "x-spillway-pool")).isEqualTo(header(miss, "x-spillway-pool"));
    assertThat(header(hit, "x-spillway-replica")).isEqualTo(header(miss, "x-spillway-replica"));
  }

  @Test
  void keyOrderWhitespaceTheAliasAndStreamOptionsDoNotMakeAnotherRequest() throws Exception {
    HttpResponse<String> miss =
        post("/v1/chat/completions", chat("Order does not matter.", "\"seed\":5"));
    HttpResponse<String> hit =
        post(
            "/v1/chat/completions",
            "{ \"seed\": 5, \"max_tokens\": 12, \"messages\": [ {\"content\": \"Order does not matter.\","
                + " \"role\": \"user\", \"name\": null} ], \"model\": \"meta-llama/Llama-3.1-8B-Instruct\","
                + " \"service_tier\": \"priority\", \"stream_options\": null }");

    assertThat(header(miss, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(hit, "x-spillway-cache")).isEqualTo("hit");
    assertThat(answer(hit).get("choices")).isEqualTo(answer(miss).get("choices"));
  }

  @Test
  void aStreamedHitStreamsTheStoredTokensInTheChunksOfAMiss() throws Exception {
    String stream = "\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}";
    HttpResponse<String> plain = post("/v1/chat/completions", chat("Stream it back.", "\"temperature\":0"));
    HttpResponse<String> streamedHit = post("/v1/chat/completions", chat("Stream it back.", stream));
    HttpResponse<String> streamedMiss = post("/v1/chat/completions", chat("Stream a new one.", stream));

    assertThat(header(plain, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(streamedHit, "x-spillway-cache")).isEqualTo("hit");
    assertThat(header(streamedMiss, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(streamedHit, "content-type")).isEqualTo("text/event-stream");
    List<JsonNode> hit = events(streamedHit);
    List<JsonNode> miss = events(streamedMiss);
    String content = JSON.readTree(plain.body()).get("choices").get(0).get("message").get("content").asText();
    assertThat(streamedContent(hit)).isEqualTo(content);
    // Role chunk, one chunk per token, finish chunk, usage chunk: as a miss streams them.
    assertThat(hit).hasSize(miss.size()).hasSize(1 + 12 + 1 + 1);
    for (int i = 0; i < hit.size(); i++) {
      assertThat(fieldNames(hit.get(i))).isEqualTo(fieldNames(miss.get(i)));
    }
    JsonNode last = hit.get(hit.size() - 1);
    assertThat(last.get("usage")).isEqualTo(JSON.readTree(plain.body()).get("usage"));
    assertThat(last.get("spillway").get("cost_usd").asDouble()).isZero();
    assertThat(last.get("spillway").get("price_usd").asDouble()).isZero();
    assertThat(hit.get(hit.size() - 2).get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aRequestSampledAt07WithoutASeedIsNeverCached() throws Exception {
    String body = chat("Be creative.", "\"temperature\":0.7");
    HttpResponse<String> first = post("/v1/chat/completions", body);
    HttpResponse<String> second = post("/v1/chat/completions", body);

    assertThat(header(first, "x-spillway-cache")).isNull();
    assertThat(header(second, "x-spillway-cache")).isNull();
    assertThat(Double.parseDouble(header(second, "x-spillway-cost-usd"))).isPositive();
  }

  @Test
  void differentTenantsNeverShareAnAnswer() throws Exception {
    String body = chat("Whose answer is this?", "\"temperature\":0");
    HttpResponse<String> alice = post("/v1/chat/completions", body, "x-spillway-tenant", "alice");
    HttpResponse<String> bob = post("/v1/chat/completions", body, "x-spillway-tenant", "bob");
    HttpResponse<String> bobByUser =
        post("/v1/chat/completions", chat("Whose answer is this?", "\"temperature\":0,\"user\":\"bob\""));
    HttpResponse<String> aliceAgain = post("/v1/chat/completions", body, "x-spillway-tenant", "alice");

    assertThat(header(alice, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(bob, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(bobByUser, "x-spillway-cache")).isEqualTo("hit");
    assertThat(header(aliceAgain, "x-spillway-cache")).isEqualTo("hit");
  }

  @Test
  void textCompletionsAreCachedApartFromChat() throws Exception {
    String completion =
        "{\"model\":\"" + MODEL + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0}";
    HttpResponse<String> chat = post("/v1/chat/completions", chat("Once upon a time", "\"temperature\":0"));
    HttpResponse<String> miss = post("/v1/completions", completion);
    HttpResponse<String> hit = post("/v1/completions", completion);

    assertThat(header(chat, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(miss, "x-spillway-cache")).isEqualTo("miss");
    assertThat(header(hit, "x-spillway-cache")).isEqualTo("hit");
    assertThat(answer(hit)).isEqualTo(answer(miss));
    assertThat(answer(hit).get("object").asText()).isEqualTo("text_completion");
  }

  @Test
  void theOpenAiSdkReadsAHitPlainAndStreamed() throws Exception {
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(base + "/v1")
            .apiKey("sk-test")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .build();
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model(MODEL)
            .addUserMessage("Through the SDK.")
            .maxCompletionTokens(8)
            .temperature(0)
            .build();
    ChatCompletion miss = client.chat().completions().create(params);
    HttpResponseFor<ChatCompletion> hit = client.chat().completions().withRawResponse().create(params);
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
    }

    assertThat(hit.headers().values("x-spillway-cache")).containsExactly("hit");
    String content = miss.choices().get(0).message().content().orElseThrow();
    assertThat(hit.parse().choices().get(0).message().content()).contains(content);
    assertThat(streamed.toString()).isEqualTo(content);
    assertThat(hit.parse().usage()).isEqualTo(miss.usage());
  }

  @Test
  void hitsAndMissesAreCountedInMetrics() throws Exception {
    String body = chat("Count me.", "\"temperature\":0");
    post("/v1/chat/completions", body);
    post("/v1/chat/completions", body);

    String metrics =
        http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .containsPattern("spillway_cache_lookups_total\\{model=\"" + MODEL + "\",result=\"hit\"} [1-9]")
        .containsPattern("spillway_cache_lookups_total\\{model=\"" + MODEL + "\",result=\"miss\"} [1-9]")
        .containsPattern(
            "spillway_requests_total\\{model=\"" + MODEL + "\",outcome=\"success\",pool=\"cache\"} [1-9]");
  }
}
