package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.chat.completions.StructuredChatCompletionCreateParams;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls and structured outputs from the emulated models, through the real gateway, read with
 * the official OpenAI Java SDK: its tool-call types, its stream accumulator and its structured-output
 * helper.
 */
class ToolsAndFormatsSdkTest {

  static final String MODEL = "llama-3.1-8b";
  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static GatewayApp app;
  private static OpenAIClient client;

  /** The arguments of the weather tool, as the SDK derives its schema. */
  public static class GetWeather {
    public String city;
    public Unit unit;
    public int days;
  }

  public enum Unit {
    CELSIUS,
    FAHRENHEIT
  }

  /** A second tool. */
  public static class FindBooks {
    public String author;
    public List<String> keywords;
  }

  /** A structured answer. */
  public static class Book {
    public String title;
    public List<String> authors;
    public int year;
    public boolean available;
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    GatewayConfig config = new ConfigLoader(name -> null).loadDefault();
    config =
        config
            .withServer(config.server().withAddress("127.0.0.1", 0))
            .withLedger(LedgerConfig.disabled());
    app = GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    client = client(app.port());
  }

  static OpenAIClient client(int port) {
    return OpenAIOkHttpClient.builder()
        .baseUrl("http://127.0.0.1:" + port + "/v1")
        .apiKey("sk-test")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .responseValidation(true)
        .build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static int tokens(String text) {
    return CL100K.countTokensOrdinary(text);
  }

  private static ChatCompletionCreateParams.Builder withTools(String prompt) {
    return ChatCompletionCreateParams.builder()
        .model(MODEL)
        .addUserMessage(prompt)
        .addTool(GetWeather.class)
        .addTool(FindBooks.class)
        .maxCompletionTokens(400)
        .seed(7L);
  }

  @Test
  void callsAToolWhenRequiredWithArgumentsValidForItsSchemaAndCountedExactly() throws Exception {
    ChatCompletion completion =
        client.chat().completions().create(
            withTools("What is the weather in Lisbon?")
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .build());

    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
    assertThat(calls).isNotEmpty();
    int argumentTokens = 0;
    for (ChatCompletionMessageToolCall call : calls) {
      ChatCompletionMessageFunctionToolCall function = call.asFunction();
      assertThat(function.id()).startsWith("call_");
      String arguments = function.function().arguments();
      argumentTokens += tokens(arguments);
      if (function.function().name().equals("GetWeather")) {
        GetWeather weather = function.function().arguments(GetWeather.class);
        assertThat(weather.city).isNotBlank();
        assertThat(weather.unit).isNotNull();
      } else {
        assertThat(function.function().name()).isEqualTo("FindBooks");
        assertThat(function.function().arguments(FindBooks.class).keywords).isNotNull();
      }
    }
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(argumentTokens);
  }

  @Test
  void streamsToolCallsThatTheSdkAccumulatorReassemblesAsTheNonStreamingAnswer() {
    ChatCompletionCreateParams params =
        withTools("Find books about rivers and the weather in Oslo.")
            .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
            .seed(11L)
            .build();
    ChatCompletion whole = client.chat().completions().create(params);

    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().peek(chunks::add).forEach(accumulator::accumulate);
    }
    ChatCompletion streamed = accumulator.chatCompletion();

    assertThat(streamed.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    List<ChatCompletionMessageToolCall> expected = whole.choices().get(0).message().toolCalls().orElseThrow();
    List<ChatCompletionMessageToolCall> actual = streamed.choices().get(0).message().toolCalls().orElseThrow();
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).asFunction().id()).isEqualTo(expected.get(i).asFunction().id());
      assertThat(actual.get(i).asFunction().function().name())
          .isEqualTo(expected.get(i).asFunction().function().name());
      assertThat(actual.get(i).asFunction().function().arguments())
          .isEqualTo(expected.get(i).asFunction().function().arguments());
    }
    // The name comes once per call; the arguments in one fragment per token.
    long named =
        chunks.stream()
            .flatMap(c -> c.choices().stream())
            .flatMap(c -> c.delta().toolCalls().orElse(List.of()).stream())
            .filter(t -> t.function().flatMap(f -> f.name()).isPresent())
            .count();
    assertThat(named).isEqualTo(expected.size());
  }

  @Test
  void callsTheNamedFunctionOnceWhenToolChoiceNamesIt() {
    ChatCompletion completion =
        client.chat().completions().create(
            withTools("Anything.")
                .toolChoice(
                    ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name("FindBooks").build())
                        .build())
                .build());

    List<ChatCompletionMessageToolCall> calls =
        completion.choices().get(0).message().toolCalls().orElseThrow();
    assertThat(calls).hasSize(1);
    assertThat(calls.get(0).asFunction().function().name()).isEqualTo("FindBooks");
  }

  @Test
  void answersToolResultsWithText() {
    ChatCompletionCreateParams first =
        withTools("What is the weather in Lisbon?")
            .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
            .build();
    ChatCompletion called = client.chat().completions().create(first);
    ChatCompletionCreateParams.Builder next =
        withTools("What is the weather in Lisbon?").addMessage(called.choices().get(0).message());
    for (ChatCompletionMessageToolCall call : called.choices().get(0).message().toolCalls().orElseThrow()) {
      next.addMessage(
          ChatCompletionToolMessageParam.builder()
              .toolCallId(call.asFunction().id())
              .content("{\"temperature\": 21}")
              .build());
    }
    ChatCompletion answer = client.chat().completions().create(next.maxCompletionTokens(20).build());

    assertThat(answer.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
    assertThat(answer.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
    // The conversation so far, the tool calls and results among it, is in the prompt.
    assertThat(answer.usage().orElseThrow().promptTokens())
        .isGreaterThan(called.usage().orElseThrow().promptTokens());
  }

  @Test
  void countsToolDefinitionsInThePrompt() {
    ChatCompletion plain =
        client.chat().completions().create(
            ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hi.").maxCompletionTokens(1).build());
    ChatCompletion withTools =
        client.chat().completions().create(
            ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hi.")
                .addTool(GetWeather.class).toolChoice(ChatCompletionToolChoiceOption.Auto.NONE)
                .maxCompletionTokens(1).build());

    long plainTokens = plain.usage().orElseThrow().promptTokens();
    long toolTokens = withTools.usage().orElseThrow().promptTokens();
    // The cookbook's rule: 10 + "GetWeather:" + 3 + 3 per property and its line + enum values + 12.
    assertThat(toolTokens - plainTokens).isGreaterThan(30);
  }

  @Test
  void answersJsonModeWithAJsonObject() throws Exception {
    ChatCompletion completion =
        client.chat().completions().create(
            ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessage("Reply in JSON.")
                .responseFormat(ResponseFormatJsonObject.builder().build())
                .maxCompletionTokens(200)
                .build());

    String content = completion.choices().get(0).message().content().orElseThrow();
    JsonNode parsed = JSON.readTree(content);
    assertThat(parsed.isObject()).isTrue();
    assertThat(parsed.size()).isPositive();
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(tokens(content));
  }

  @Test
  void answersAJsonSchemaThatTheSdkParsesIntoItsClass() {
    StructuredChatCompletionCreateParams<Book> params =
        ChatCompletionCreateParams.builder()
            .model(MODEL)
            .addUserMessage("Recommend a book.")
            .maxCompletionTokens(300)
            .responseFormat(Book.class)
            .build();

    StructuredChatCompletion<Book> completion = client.chat().completions().create(params);

    Book book = completion.choices().get(0).message().content().orElseThrow();
    assertThat(book.title).isNotBlank();
    assertThat(book.authors).isNotNull();
  }

  @Test
  void refusesASchemaKeywordOutsideTheSupportedSubsetByName() {
    ResponseFormatJsonSchema format =
        ResponseFormatJsonSchema.builder()
            .jsonSchema(
                ResponseFormatJsonSchema.JsonSchema.builder()
                    .name("code")
                    .strict(true)
                    .schema(
                        ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty(
                                "properties",
                                JsonValue.from(Map.of("code", Map.of("type", "string", "pattern", "^[A-Z]{3}$"))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("code")))
                            .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                            .build())
                    .build())
            .build();

    assertThatThrownBy(
            () ->
                client.chat().completions().create(
                    ChatCompletionCreateParams.builder()
                        .model(MODEL)
                        .addUserMessage("A code.")
                        .responseFormat(format)
                        .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.getMessage()).contains("pattern");
              assertThat(e.param()).hasValue("response_format.json_schema.schema.properties.code.pattern");
            });
  }
}
