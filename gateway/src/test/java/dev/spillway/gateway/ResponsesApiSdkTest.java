package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.StructuredResponse;
import com.openai.models.responses.StructuredResponseCreateParams;
import com.openai.models.responses.ToolChoiceFunction;
import com.openai.models.responses.ToolChoiceOptions;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/responses} through the real gateway and emulated models, with the OpenAI Java SDK. */
class ResponsesApiSdkTest {

  private static final String MODEL = ToolsAndFormatsSdkTest.MODEL;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Vertx vertx;
  private static GatewayApp app;
  private static OpenAIClient client;
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
    client = ToolsAndFormatsSdkTest.client(app.port());
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String text(Response response) {
    return response.output().stream()
        .filter(ResponseOutputItem::isMessage)
        .flatMap(m -> m.asMessage().content().stream())
        .map(c -> c.asOutputText().text())
        .collect(Collectors.joining());
  }

  @Test
  void createsAResponseWithTextAndUsage() {
    Response response =
        client.responses().create(
            ResponseCreateParams.builder()
                .model(MODEL)
                .instructions("Be brief.")
                .input("Say something about rivers.")
                .maxOutputTokens(16)
                .build());

    assertThat(response.id()).startsWith("resp_");
    assertThat(response.status()).hasValue(ResponseStatus.INCOMPLETE);
    String text = text(response);
    assertThat(text).isNotBlank();
    assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(16);
    assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(ToolsAndFormatsSdkTest.tokens(text));
    assertThat(response.usage().orElseThrow().inputTokens()).isPositive();
    assertThat(response._additionalProperties().get("store")).isEqualTo(JsonValue.from(false));
  }

  @Test
  void streamsTypedEventsThatTheSdkAccumulatesIntoTheResponse() {
    ResponseCreateParams params =
        ResponseCreateParams.builder().model(MODEL).input("Stream, please.").maxOutputTokens(12).build();
    List<ResponseStreamEvent> events = new ArrayList<>();
    ResponseAccumulator accumulator = ResponseAccumulator.create();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
      stream.stream().peek(events::add).forEach(accumulator::accumulate);
    }

    assertThat(events.get(0).isCreated()).isTrue();
    List<String> deltas =
        events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
            .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.toList());
    assertThat(deltas).hasSize(12);
    Response response = accumulator.response();
    assertThat(text(response)).isEqualTo(String.join("", deltas));
    assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(12);
  }

  @Test
  void namesEachEventInItsEventLineAndNumbersThemInOrder() throws Exception {
    HttpResponse<String> response =
        post("{\"model\":\"" + MODEL + "\",\"input\":\"Hi\",\"max_output_tokens\":4,\"stream\":true}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/event-stream"));
    String[] events = response.body().split("\n\n");
    List<String> types = new ArrayList<>();
    for (int i = 0; i < events.length; i++) {
      String[] lines = events[i].split("\n");
      assertThat(lines).hasSize(2);
      String type = lines[0].substring("event: ".length());
      JsonNode data = readTree(lines[1].substring("data: ".length()));
      assertThat(data.path("type").asText()).isEqualTo(type);
      assertThat(data.path("sequence_number").asInt()).isEqualTo(i);
      types.add(type);
    }
    assertThat(types).containsSubsequence(
        "response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.incomplete");
    assertThat(types.stream().filter("response.output_text.delta"::equals).count()).isEqualTo(4);
    assertThat(response.body()).doesNotContain("[DONE]");
  }

  @Test
  void recordsItsUsageInTheLedgerAsChatDoes() throws Exception {
    HttpResponse<String> response =
        post("{\"model\":\"" + MODEL + "\",\"input\":\"Hello\",\"max_output_tokens\":5,\"user\":\"resp-tenant\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    String id = response.headers().firstValue("x-request-id").orElseThrow();
    JsonNode usage = readTree(response.body()).path("usage");

    List<UsageRecord> records = new ArrayList<>();
    LedgerReader.read(ledger, r -> {
      if (r.requestId().equals(id)) {
        records.add(r);
      }
    });
    assertThat(records).hasSize(1);
    UsageRecord record = records.get(0);
    assertThat(record.tenant()).isEqualTo("resp-tenant");
    assertThat(record.promptTokens()).isEqualTo(usage.path("input_tokens").asInt());
    assertThat(record.completionTokens()).isEqualTo(usage.path("output_tokens").asInt()).isEqualTo(5);
    assertThat(record.outcome()).isEqualTo(UsageRecord.Outcome.SUCCESS);
    assertThat(record.priceUsd())
        .isEqualTo(Double.parseDouble(response.headers().firstValue("x-spillway-price-usd").orElseThrow()));
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/responses"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void roundTripsAFunctionCallAndItsOutput() {
    ResponseCreateParams first =
        ResponseCreateParams.builder()
            .model(MODEL)
            .input("What is the weather in Lisbon?")
            .addTool(ToolsAndFormatsSdkTest.GetWeather.class)
            .toolChoice(ToolChoiceFunction.builder().name("GetWeather").build())
            .build();
    Response called = client.responses().create(first);

    List<ResponseFunctionToolCall> calls =
        called.output().stream().filter(ResponseOutputItem::isFunctionCall)
            .map(ResponseOutputItem::asFunctionCall).collect(Collectors.toList());
    assertThat(calls).hasSize(1);
    ResponseFunctionToolCall call = calls.get(0);
    assertThat(call.name()).isEqualTo("GetWeather");
    assertThat(call.callId()).startsWith("call_");
    assertThat(readTree(call.arguments()).path("city").isTextual()).isTrue();

    List<ResponseInputItem> input = new ArrayList<>();
    input.add(ResponseInputItem.ofFunctionCall(call));
    input.add(
        ResponseInputItem.ofFunctionCallOutput(
            ResponseInputItem.FunctionCallOutput.builder().callId(call.callId()).output("{\"celsius\": 21}").build()));
    Response answer =
        client.responses().create(
            ResponseCreateParams.builder()
                .model(MODEL)
                .inputOfResponse(input)
                .addTool(ToolsAndFormatsSdkTest.GetWeather.class)
                .toolChoice(ToolChoiceOptions.AUTO)
                .maxOutputTokens(10)
                .build());

    assertThat(answer.output()).noneMatch(ResponseOutputItem::isFunctionCall);
    assertThat(text(answer)).isNotBlank();
  }

  @Test
  void streamsFunctionCallArgumentsInDeltas() {
    ResponseCreateParams params =
        ResponseCreateParams.builder()
            .model(MODEL)
            .input("Weather?")
            .addTool(ToolsAndFormatsSdkTest.GetWeather.class)
            .toolChoice(ToolChoiceOptions.REQUIRED)
            .parallelToolCalls(false)
            .build();
    List<ResponseStreamEvent> events = new ArrayList<>();
    ResponseAccumulator accumulator = ResponseAccumulator.create();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
      stream.stream().peek(events::add).forEach(accumulator::accumulate);
    }

    String arguments =
        events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
            .map(e -> e.asFunctionCallArgumentsDelta().delta()).collect(Collectors.joining());
    Response response = accumulator.response();
    ResponseFunctionToolCall call =
        response.output().stream().filter(ResponseOutputItem::isFunctionCall)
            .map(ResponseOutputItem::asFunctionCall).findFirst().orElseThrow();
    assertThat(call.arguments()).isEqualTo(arguments);
    assertThat(readTree(arguments).isObject()).isTrue();
    assertThat(events.get(events.size() - 1).isCompleted()).isTrue();
  }

  @Test
  void answersTextFormatJsonSchemaThatTheSdkParses() {
    StructuredResponseCreateParams<ToolsAndFormatsSdkTest.Book> params =
        ResponseCreateParams.builder()
            .model(MODEL)
            .input("Recommend a book.")
            .text(ToolsAndFormatsSdkTest.Book.class)
            .maxOutputTokens(300)
            .build();

    StructuredResponse<ToolsAndFormatsSdkTest.Book> response = client.responses().create(params);

    ToolsAndFormatsSdkTest.Book book =
        response.output().stream()
            .flatMap(item -> item.message().stream())
            .flatMap(m -> m.content().stream())
            .flatMap(c -> c.outputText().stream())
            .findFirst()
            .orElseThrow();
    assertThat(book.title).isNotBlank();
  }

  @Test
  void refusesPreviousResponseIdBecauseNothingIsStored() {
    assertThatThrownBy(
            () ->
                client.responses().create(
                    ResponseCreateParams.builder()
                        .model(MODEL)
                        .input("Go on.")
                        .previousResponseId("resp_abc")
                        .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.param()).hasValue("previous_response_id");
              assertThat(e.getMessage()).contains("stores no responses");
            });
  }

  @Test
  void carriesTheGatewayHeadersAsChatDoes() throws Exception {
    HttpResponse<String> response =
        post("{\"model\":\"" + MODEL + "\",\"input\":\"Hi\",\"max_output_tokens\":3}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-spillway-pool")).isPresent();
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    JsonNode body = readTree(response.body());
    assertThat(body.path("object").asText()).isEqualTo("response");
    assertThat(body.path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
