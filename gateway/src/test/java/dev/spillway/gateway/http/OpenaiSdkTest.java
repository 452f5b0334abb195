package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.spillway.gateway.core.GatewayError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official OpenAI Java SDK, unmodified, against the gateway, with response validation on: it
 * throws on any missing required key or wrong {@code object} name.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpenaiSdkTest {

  private static final String ANSWER = "Hello, \"world\"!\n Bye";

  private static TestServer server;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer();
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl("http://127.0.0.1:" + server.port() + "/v1")
            .apiKey("test")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(10))
            .responseValidation(true)
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    server.close();
  }

  @AfterEach
  void reset() {
    assertThat(server.gateway.callsOffCoreThread).hasValue(0);
    server.gateway.reset();
  }

  @Test
  void listsAndRetrievesModelsIncludingAnIdWithASlash() {
    List<Model> models = client.models().list().data();

    assertThat(models).extracting(Model::id)
        .containsExactly(ScriptedGateway.CHAT_MODEL, ScriptedGateway.EMBEDDING_MODEL);
    assertThat(models.get(0)._additionalProperties().get("root")).isEqualTo(JsonValue.from(ScriptedGateway.CHAT_MODEL));
    // The SDK sends meta-llama%2FLlama-3.3-70B-Instruct.
    Model alias = client.models().retrieve(ScriptedGateway.CHAT_ALIAS);
    assertThat(alias.id()).isEqualTo(ScriptedGateway.CHAT_ALIAS);
    assertThat(alias.ownedBy()).isEqualTo("spillway");
  }

  @Test
  void completesAChat() {
    ChatCompletion completion =
        client.chat().completions().create(
            ChatCompletionCreateParams.builder()
                .model(ScriptedGateway.CHAT_MODEL)
                .addUserMessage("Say hello.")
                .maxCompletionTokens(50)
                .build());

    assertThat(completion.id()).startsWith("chatcmpl-");
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).hasValue(ANSWER);
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    CompletionUsage usage = completion.usage().orElseThrow();
    assertThat(usage.completionTokens()).isEqualTo(6);
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 6);
  }

  @Test
  void streamsAChatAndReadsTheUsageChunk() {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model(ScriptedGateway.CHAT_MODEL)
            .addUserMessage("Say hello.")
            .maxCompletionTokens(50)
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    String text =
        chunks.stream()
            .flatMap(chunk -> chunk.choices().stream())
            .map(choice -> choice.delta().content().orElse(""))
            .collect(Collectors.joining());
    assertThat(text).isEqualTo(ANSWER);
    assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(6);
    assertThat(last._additionalProperties()).containsKey("spillway");
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.usage()).isEmpty());
  }

  @Test
  void completesAndStreamsText() {
    CompletionCreateParams params =
        CompletionCreateParams.builder().model(ScriptedGateway.CHAT_MODEL).prompt("Once upon a time").maxTokens(3).build();

    Completion completion = client.completions().create(params);
    StringBuilder streamed = new StringBuilder();
    // Without response validation: the SDK reads stream chunks as Completion, whose finish_reason it
    // requires, while OpenAI (and the gateway) send "finish_reason":null until the last chunk.
    OpenAIClient lenient = client.withOptions(options -> options.responseValidation(false));
    try (StreamResponse<Completion> stream = lenient.completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> streamed.append(choice.text())));
    }

    assertThat(completion.choices().get(0).text()).isEqualTo("Hello, \"world\"");
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(3);
    assertThat(streamed.toString()).isEqualTo("Hello, \"world\"");
  }

  @Test
  void embedsWithTheSdksDefaultBase64EncodingAsTheFloatsItWouldGet() {
    EmbeddingCreateParams base64 =
        EmbeddingCreateParams.builder().model(ScriptedGateway.EMBEDDING_MODEL).input("rivers and lakes").build();
    EmbeddingCreateParams floats =
        base64.toBuilder().encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build();

    CreateEmbeddingResponse fromBase64 = client.embeddings().create(base64);
    CreateEmbeddingResponse fromFloats = client.embeddings().create(floats);

    assertThat(server.gateway.submitted).hasSize(2);
    List<Float> vector = fromBase64.data().get(0).embedding();
    assertThat(vector).hasSize(ScriptedGateway.EMBEDDING_DIMENSIONS).isEqualTo(fromFloats.data().get(0).embedding());
    double norm = Math.sqrt(vector.stream().mapToDouble(f -> f * f).sum());
    assertThat(norm).isCloseTo(1.0, offset(1e-5));
    assertThat(fromBase64.usage().promptTokens()).isEqualTo(server.gateway.lastSubmitted().promptTokens());
  }

  @Test
  void raisesNotFoundForAnUnknownModel() {
    assertThatThrownBy(
            () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model("gpt-9").addUserMessage("hi").build()))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.code()).hasValue("model_not_found");
              assertThat(e.param()).hasValue("model");
            });
    assertThatThrownBy(() -> client.models().retrieve("nobody/nothing")).isInstanceOf(NotFoundException.class);
  }

  @Test
  void raisesBadRequestNamingTheField() {
    assertThatThrownBy(
            () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder()
                    .model(ScriptedGateway.CHAT_MODEL)
                    .addUserMessage("hi")
                    .n(2)
                    .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.param()).hasValue("n");
              assertThat(e.type()).hasValue("invalid_request_error");
            });
  }

  @Test
  void raisesRateLimitForAFullQueue() {
    server.gateway.script =
        request -> ScriptedGateway.Script.rejected(
            GatewayError.retryable(GatewayError.Kind.QUEUE_FULL, "queue full", Duration.ofSeconds(2)));

    assertThatThrownBy(
            () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model(ScriptedGateway.CHAT_MODEL).addUserMessage("hi").build()))
        .isInstanceOfSatisfying(
            RateLimitException.class,
            e -> assertThat(((OpenAIServiceException) e).headers().values("retry-after")).containsExactly("2"));
  }
}
