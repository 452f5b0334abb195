package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import dev.spillway.gateway.ledger.LedgerReader;
import dev.spillway.gateway.ledger.UsageRecord;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real gateway — embedded default configuration, emulated pools, HTTP server on port 0 — driven
 * by the official OpenAI Java SDK.
 */
class GatewayEndToEndTest {

  private static Vertx vertx;
  private static GatewayApp app;
  private static OpenAIClient client;
  private static String base;
  @TempDir static Path ledger;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    GatewayConfig config = new ConfigLoader(name -> null).loadDefault();
    config =
        config
            .withServer(config.server().withAddress("127.0.0.1", 0))
            .withLedger(LedgerConfig.at(ledger));
    app = GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + app.port() + "/v1";
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(base)
            .apiKey("sk-test")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void listsTheConfiguredModels() {
    List<String> ids =
        client.models().list().data().stream().map(Model::id).collect(Collectors.toList());
    assertThat(ids).contains("llama-3.1-8b", "llama-3.3-70b", "llama-3.1-405b", "e5-mistral-7b");
  }

  @Test
  void answersAChatCompletion() {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                ChatCompletionCreateParams.builder()
                    .model("llama-3.3-70b")
                    .addUserMessage("Say something about accelerators.")
                    .maxCompletionTokens(12)
                    .build());
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
    assertThat(completion.usage()).hasValueSatisfying(u -> {
      assertThat(u.completionTokens()).isEqualTo(12);
      assertThat(u.promptTokens()).isPositive();
      assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + 12);
    });
    assertThat(completion.model()).isEqualTo("llama-3.3-70b");
  }

  @Test
  void streamsAChatCompletionWithUsage() {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model("llama-3.1-8b")
            .addUserMessage("Stream please.")
            .maxCompletionTokens(20)
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }
    StringBuilder text = new StringBuilder();
    for (ChatCompletionChunk chunk : chunks) {
      for (ChatCompletionChunk.Choice choice : chunk.choices()) {
        choice.delta().content().ifPresent(text::append);
      }
    }
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(20));
    assertThat(text.toString()).isNotBlank();
  }

  @Test
  void answersALegacyCompletion() {
    Completion completion =
        client
            .completions()
            .create(
                CompletionCreateParams.builder()
                    .model("llama-3.1-8b")
                    .prompt("Once upon a time")
                    .maxTokens(7)
                    .build());
    assertThat(completion.choices().get(0).text()).isNotBlank();
    assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(7));
  }

  @Test
  void embedsWithTheSdkDefaultEncoding() {
    CreateEmbeddingResponse response =
        client
            .embeddings()
            .create(EmbeddingCreateParams.builder().model("e5-mistral-7b").input("hello world").build());
    List<Float> vector = response.data().get(0).embedding();
    assertThat(vector).hasSize(4096);
    double norm = 0;
    for (float f : vector) {
      norm += f * f;
    }
    assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-3));
    assertThat(response.usage().promptTokens()).isPositive();
  }

  @Test
  void unknownModelIsNotFoundAndBadRequestIsBadRequest() {
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("no-such-model")
                            .addUserMessage("hi")
                            .build()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        ChatCompletionCreateParams.builder()
                            .model("llama-3.1-8b")
                            .addUserMessage("hi")
                            .maxCompletionTokens(-5)
                            .build()))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void reportsWhereARequestRanInHeaders() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                    .timeout(Duration.ofSeconds(10))
                    .header("content-type", "application/json")
                    .header("x-spillway-slo-ttft-ms", "5000")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"llama-3.1-405b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                + "\"max_tokens\":4,\"service_tier\":\"priority\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-spillway-pool")).hasValueSatisfying(p -> assertThat(p).startsWith("llama-3.1-405b@"));
    assertThat(response.headers().firstValue("x-spillway-replica")).isPresent();
    assertThat(Double.parseDouble(response.headers().firstValue("x-spillway-cost-usd").orElseThrow())).isPositive();
    assertThat(Double.parseDouble(response.headers().firstValue("x-spillway-price-usd").orElseThrow())).isPositive();
    assertThat(response.headers().firstValue("x-spillway-queue-ms")).isPresent();
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("spillway_requests_total")
        .contains("spillway_time_to_first_token_seconds")
        .contains("spillway_gateway_overhead_seconds_count{model=\"llama-3.1-405b\"}");
  }

  @Test
  void aFinishedRequestIsInTheLedgerWithTheCostAndPriceItsClientWasTold() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                    .timeout(Duration.ofSeconds(10))
                    .header("content-type", "application/json")
                    .header("x-request-id", "e2e-ledger-1")
                    .header("x-spillway-tenant", "e2e-ledger-tenant")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                + "\"max_tokens\":3}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    List<UsageRecord> records = new ArrayList<>();
    LedgerReader.read(ledger, r -> {
      if (r.requestId().equals("e2e-ledger-1")) {
        records.add(r);
      }
    });
    assertThat(records).hasSize(1);
    UsageRecord record = records.get(0);
    assertThat(record.tenant()).isEqualTo("e2e-ledger-tenant");
    assertThat(record.model()).isEqualTo("llama-3.1-8b");
    assertThat(record.pool()).isEqualTo(response.headers().firstValue("x-spillway-pool").orElseThrow());
    assertThat(record.replica()).isEqualTo(response.headers().firstValue("x-spillway-replica").orElseThrow());
    assertThat(record.completionTokens()).isEqualTo(3);
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.SUCCESS);
    assertThat(record.priceUsd())
        .isEqualTo(Double.parseDouble(response.headers().firstValue("x-spillway-price-usd").orElseThrow()));
    assertThat(app.ledger().spentUsd("e2e-ledger-tenant", record.time())).isEqualTo(record.priceUsd());
  }

  /** Regression: Java's HttpClient offers an h2c upgrade on each GET; upgraded connections hung. */
  @Test
  void repeatedGetsFromJavasDefaultHttpClientAreAnsweredOverHttp11() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(base + "/models")).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }
  }
}
