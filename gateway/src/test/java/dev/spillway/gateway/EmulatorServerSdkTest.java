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
 * emulated pools do, read with the official OpenAI Java SDK.
 */
class EmulatorServerSdkTest {

  private static final String MODEL = "llama-3.1-8b";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static EmulatorServer server;
  private static OpenAIClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        EmulatorServer.start(vertx, ServeOptions.of("p5.48xlarge", MODEL).withToolCallRate(1))
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    client = ToolsAndFormatsSdkTest.client(server.port());
  }

  @AfterAll
  static void stop() throws Exception {
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
