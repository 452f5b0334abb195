package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ToolChoiceOptions;
import dev.spillway.backends.server.EmulatorServer;
import dev.spillway.backends.server.ServeOptions;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The standalone emulator server ({@code serve}) answers tools and response formats as the gateway's
 * emulated pools do, read with the official OpenAI Java SDK; and a gateway whose pool is that server
 * (kind {@code upstream}) passes a Responses API conversation with a function call through to it.
 */
class EmulatorServerSdkTest {

  private static final String MODEL = "llama-3.1-8b";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static EmulatorServer server;
  private static OpenAIClient client;
  private static KeyedGateway gateway;
  private static OpenAIClient viaGateway;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        EmulatorServer.start(vertx, ServeOptions.of("p5.48xlarge", MODEL).withToolCallRate(1))
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    client = ToolsAndFormatsSdkTest.client(server.port());
    gateway =
        new KeyedGateway(
            vertx,
            "server: {host: 127.0.0.1, port: 0, eventLoops: 1}\n"
                + "models:\n"
                + "  - name: " + MODEL + "\n"
                + "    pools: [{kind: upstream, url: 'http://127.0.0.1:" + server.port() + "/v1'}]\n");
    viaGateway = ToolsAndFormatsSdkTest.client(gateway.app.port());
  }

  @AfterAll
  static void stop() throws Exception {
    viaGateway.close();
    gateway.app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close();
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void callsToolsUnderAutoAtItsRateAndStreamsThemForTheAccumulator() {
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder()
            .model(MODEL)
            .addUserMessage("Weather in Oslo?")
            .addTool(ToolsAndFormatsSdkTest.GetWeather.class)
            .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO)
            .seed(3L)
            .maxCompletionTokens(300)
            .build();
    ChatCompletion whole = client.chat().completions().create(params);
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }

    List<ChatCompletionMessageToolCall> calls = whole.choices().get(0).message().toolCalls().orElseThrow();
    assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ToolsAndFormatsSdkTest.GetWeather weather =
        calls.get(0).asFunction().function().arguments(ToolsAndFormatsSdkTest.GetWeather.class);
    assertThat(weather.city).isNotBlank();
    assertThat(whole.usage().orElseThrow().completionTokens())
        .isEqualTo(calls.stream().mapToInt(c -> ToolsAndFormatsSdkTest.tokens(c.asFunction().function().arguments())).sum());
    ChatCompletion streamed = accumulator.chatCompletion();
    assertThat(streamed.choices().get(0).message().toolCalls().orElseThrow())
        .extracting(c -> c.asFunction().function().arguments())
        .containsExactlyElementsOf(calls.stream().map(c -> c.asFunction().function().arguments()).toList());
  }

  @Test
  void answersJsonModeAndJsonSchemas() throws Exception {
    ChatCompletion json =
        client.chat().completions().create(
            ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("JSON please.")
                .responseFormat(ResponseFormatJsonObject.builder().build()).maxCompletionTokens(200).build());
    assertThat(JSON.readTree(json.choices().get(0).message().content().orElseThrow()).isObject()).isTrue();

    StructuredChatCompletion<ToolsAndFormatsSdkTest.Book> book =
        client.chat().completions().create(
            ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("A book.")
                .maxCompletionTokens(300).responseFormat(ToolsAndFormatsSdkTest.Book.class).build());
    assertThat(book.choices().get(0).message().content().orElseThrow().title).isNotBlank();
  }

  @Test
  void aGatewayPassesAResponsesConversationWithAFunctionCallThroughToAnUpstream() {
    Response called =
        viaGateway.responses().create(
            ResponseCreateParams.builder()
                .model(MODEL)
                .instructions("Use the tool.")
                .input("What is the weather in Lisbon?")
                .addTool(ToolsAndFormatsSdkTest.GetWeather.class)
                .toolChoice(ToolChoiceOptions.REQUIRED)
                .parallelToolCalls(false)
                .build());
    ResponseFunctionToolCall call =
        called.output().stream().filter(ResponseOutputItem::isFunctionCall)
            .map(ResponseOutputItem::asFunctionCall).findFirst().orElseThrow();
    assertThat(call.name()).isEqualTo("GetWeather");
    assertThat(called.usage().orElseThrow().outputTokens())
        .isEqualTo(ToolsAndFormatsSdkTest.tokens(call.arguments()));

    Response answer =
        viaGateway.responses().create(
            ResponseCreateParams.builder()
                .model(MODEL)
                .inputOfResponse(
                    List.of(
                        ResponseInputItem.ofFunctionCall(call),
                        ResponseInputItem.ofFunctionCallOutput(
                            ResponseInputItem.FunctionCallOutput.builder()
                                .callId(call.callId()).output("{\"celsius\": 21}").build())))
                .addTool(ToolsAndFormatsSdkTest.GetWeather.class)
                .maxOutputTokens(8)
                .build());
    // The upstream saw the tool result last (answered with text), so the messages went through.
    assertThat(answer.output()).noneMatch(ResponseOutputItem::isFunctionCall);
    assertThat(answer.output()).anyMatch(ResponseOutputItem::isMessage);
  }

  @Test
  void refusesAToolChoiceNamingNoToolOffered() {
    assertThatThrownBy(
            () ->
                client.chat().completions().create(
                    ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Hi.")
                        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.param()).hasValue("tool_choice");
              assertThat(e.getMessage()).contains("set tools");
            });
  }
}
