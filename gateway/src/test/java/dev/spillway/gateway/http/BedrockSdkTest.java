package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.GatewayError;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ModelStreamErrorException;
import software.amazon.awssdk.services.bedrockruntime.model.PayloadPart;
import software.amazon.awssdk.services.bedrockruntime.model.PerformanceConfigLatency;
import software.amazon.awssdk.services.bedrockruntime.model.PerformanceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ResourceNotFoundException;
import software.amazon.awssdk.services.bedrockruntime.model.ResponseStream;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * The official AWS SDK for Java v2, unmodified (sync and async clients, {@code endpointOverride},
 * static dummy credentials, a fixed region, no retries), against the gateway's Bedrock Runtime API:
 * all four calls, the streams' events in order, and errors as the SDK's own exception types.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BedrockSdkTest {

  static final String BEDROCK_ID = "meta.llama3-3-70b-instruct-v1:0";
  private static final String ANSWER = String.join("", ScriptedGateway.TOKENS);

  private static TestServer server;
  private static BedrockRuntimeClient client;
  private static BedrockRuntimeAsyncClient async;

  @BeforeAll
  static void start() throws Exception {
    server = new TestServer();
    URI endpoint = URI.create("http://127.0.0.1:" + server.port());
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "dummy-secret"));
    client =
        BedrockRuntimeClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
    async =
        BedrockRuntimeAsyncClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials)
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    async.close();
    server.close();
  }

  @AfterEach
  void reset() {
    assertThat(server.gateway.callsOffCoreThread).hasValue(0);
    server.gateway.reset();
  }

  static ConverseRequest.Builder converse(String modelId) {
    return ConverseRequest.builder()
        .modelId(modelId)
        .system(b -> b.text("You are terse."))
        .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("Say hello.")).build())
        .inferenceConfig(InferenceConfiguration.builder().maxTokens(50).temperature(0.2f).topP(0.9f).build());
  }

  @Test
  void conversesThroughTheSyncClient() {
    ConverseResponse response = client.converse(converse(BEDROCK_ID).build());

    assertThat(response.output().message().role()).isEqualTo(ConversationRole.ASSISTANT);
    assertThat(response.output().message().content()).extracting(ContentBlock::text).containsExactly(ANSWER);
    assertThat(response.stopReason()).isEqualTo(StopReason.END_TURN);
    assertThat(response.usage().outputTokens()).isEqualTo(ScriptedGateway.TOKENS.size());
    assertThat(response.usage().inputTokens()).isEqualTo(server.gateway.lastSubmitted().promptTokens());
    assertThat(response.usage().totalTokens())
        .isEqualTo(response.usage().inputTokens() + response.usage().outputTokens());
    assertThat(response.metrics().latencyMs()).isNotNull().isNotNegative();
    assertThat(response.responseMetadata().requestId()).isNotBlank();
    var submitted = server.gateway.lastSubmitted();
    assertThat(submitted.model()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    assertThat(submitted.maxOutputTokens()).isEqualTo(50);
    assertThat(submitted.sampling().temperature()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(submitted.prompt()).isEqualTo("You are terse.\nSay hello.");
  }

  @Test
  void stopsAtMaxTokensAndAcceptsAnInferenceProfileId() {
    ConverseResponse response =
        client.converse(
            converse("us." + BEDROCK_ID).inferenceConfig(InferenceConfiguration.builder().maxTokens(2).build()).build());

    assertThat(response.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
    assertThat(response.output().message().content().get(0).text()).isEqualTo("Hello,");
  }

  @Test
  void mapsOptimizedLatencyToThePriorityTierAndEchoesIt() {
    ConverseResponse response =
        client.converse(
            converse(BEDROCK_ID)
                .performanceConfig(PerformanceConfiguration.builder().latency(PerformanceConfigLatency.OPTIMIZED).build())
                .build());

    assertThat(server.gateway.lastSubmitted().tier()).isEqualTo(ServiceTier.PRIORITY);
    assertThat(response.performanceConfig().latency()).isEqualTo(PerformanceConfigLatency.OPTIMIZED);
  }

  @Test
  void streamsAConversationsEventsInOrder() throws Exception {
    List<ConverseStreamOutput> events = new CopyOnWriteArrayList<>();
    async
        .converseStream(
            ConverseStreamRequest.builder()
                .modelId(BEDROCK_ID)
                .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("Say hello.")).build())
                .build(),
            ConverseStreamResponseHandler.builder().subscriber(events::add).build())
        .get(30, TimeUnit.SECONDS);

    List<ConverseStreamOutput.EventType> types =
        events.stream().map(ConverseStreamOutput::sdkEventType).collect(Collectors.toList());
    int tokens = ScriptedGateway.TOKENS.size();
    assertThat(types).hasSize(tokens + 4);
    assertThat(types.get(0)).isEqualTo(ConverseStreamOutput.EventType.MESSAGE_START);
    assertThat(types.subList(1, tokens + 1)).containsOnly(ConverseStreamOutput.EventType.CONTENT_BLOCK_DELTA);
    assertThat(types.subList(tokens + 1, tokens + 4))
        .containsExactly(
            ConverseStreamOutput.EventType.CONTENT_BLOCK_STOP,
            ConverseStreamOutput.EventType.MESSAGE_STOP,
            ConverseStreamOutput.EventType.METADATA);
    String text =
        events.subList(1, tokens + 1).stream()
            .map(e -> ((ContentBlockDeltaEvent) e).delta().text())
            .collect(Collectors.joining());
    assertThat(text).isEqualTo(ANSWER);
    assertThat(((MessageStopEvent) events.get(tokens + 2)).stopReason()).isEqualTo(StopReason.END_TURN);
    ConverseStreamMetadataEvent metadata = (ConverseStreamMetadataEvent) events.get(tokens + 3);
    assertThat(metadata.usage().outputTokens()).isEqualTo(tokens);
    assertThat(metadata.usage().inputTokens()).isEqualTo(server.gateway.lastSubmitted().promptTokens());
    assertThat(metadata.metrics().latencyMs()).isNotNull();
  }

  @Test
  void invokesAModelInMetaLlamasFormat() throws Exception {
    InvokeModelResponse response =
        client.invokeModel(
            InvokeModelRequest.builder()
                .modelId(BEDROCK_ID)
                .contentType("application/json")
                .accept("application/json")
                .body(SdkBytes.fromUtf8String("{\"prompt\":\"<|begin_of_text|>Hi\",\"max_gen_len\":4,\"temperature\":0.1,\"top_p\":0.5}"))
                .build());

    JsonNode body = TestServer.JSON.readTree(response.body().asUtf8String());
    assertThat(body.get("generation").asText()).isEqualTo("Hello, \"world\"!");
    assertThat(body.get("generation_token_count").asInt()).isEqualTo(4);
    assertThat(body.get("prompt_token_count").asInt()).isEqualTo(server.gateway.lastSubmitted().promptTokens());
    assertThat(body.get("stop_reason").asText()).isEqualTo("length");
    assertThat(response.contentType()).isEqualTo("application/json");
    assertThat(response.sdkHttpResponse().firstMatchingHeader("X-Amzn-Bedrock-Output-Token-Count")).hasValue("4");
    assertThat(server.gateway.lastSubmitted().sampling().topP()).isEqualTo(0.5);
  }

  @Test
  void streamsAnInvocationAsChunksWithInvocationMetricsLast() throws Exception {
    List<ResponseStream> events = new CopyOnWriteArrayList<>();
    async
        .invokeModelWithResponseStream(
            InvokeModelWithResponseStreamRequest.builder()
                .modelId(BEDROCK_ID)
                .contentType("application/json")
                .body(SdkBytes.fromUtf8String("{\"prompt\":\"Hi\"}"))
                .build(),
            InvokeModelWithResponseStreamResponseHandler.builder().subscriber(events::add).build())
        .get(30, TimeUnit.SECONDS);

    List<JsonNode> chunks = new java.util.ArrayList<>();
    for (ResponseStream event : events) {
      chunks.add(TestServer.JSON.readTree(((PayloadPart) event).bytes().asByteArray()));
    }
    int tokens = ScriptedGateway.TOKENS.size();
    assertThat(chunks).hasSize(tokens + 1);
    assertThat(chunks.stream().map(c -> c.get("generation").asText()).collect(Collectors.joining())).isEqualTo(ANSWER);
    assertThat(chunks.get(0).get("prompt_token_count").asInt()).isEqualTo(server.gateway.lastSubmitted().promptTokens());
    assertThat(chunks.get(1).get("prompt_token_count").isNull()).isTrue();
    assertThat(chunks.get(tokens - 1).get("generation_token_count").asInt()).isEqualTo(tokens);
    JsonNode last = chunks.get(tokens);
    assertThat(last.get("stop_reason").asText()).isEqualTo("stop");
    JsonNode metrics = last.get("amazon-bedrock-invocationMetrics");
    assertThat(metrics.get("outputTokenCount").asInt()).isEqualTo(tokens);
    assertThat(metrics.get("inputTokenCount").asInt()).isEqualTo(server.gateway.lastSubmitted().promptTokens());
  }

  @Test
  void anUnknownModelIsResourceNotFound() {
    assertThatThrownBy(() -> client.converse(converse("meta.llama9-1t-instruct-v1:0").build()))
        .isInstanceOfSatisfying(
            ResourceNotFoundException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(404);
              assertThat(e.awsErrorDetails().errorMessage()).contains("meta.llama9-1t-instruct-v1:0");
            });
    assertThat(server.gateway.submitted).isEmpty();
  }

  @Test
  void aBadFieldIsAValidationExceptionNamingIt() {
    assertThatThrownBy(
            () -> client.converse(
                converse(BEDROCK_ID).inferenceConfig(InferenceConfiguration.builder().temperature(1.5f).build()).build()))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorMessage())
                  .isEqualTo("inferenceConfig.temperature: 1.5 (expected: a number from 0 to 1)");
            });
  }

  @Test
  void aFullQueueIsThrottling() {
    server.gateway.script =
        request -> ScriptedGateway.Script.rejected(
            GatewayError.retryable(GatewayError.Kind.QUEUE_FULL, "queue full", Duration.ofSeconds(2)));

    assertThatThrownBy(() -> client.converse(converse(BEDROCK_ID).build()))
        .isInstanceOfSatisfying(
            ThrottlingException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(429);
              assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("queue full");
            });
    CompletionException streamed =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class,
            () -> async
                .converseStream(
                    ConverseStreamRequest.builder().modelId(BEDROCK_ID)
                        .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("x")).build())
                        .build(),
                    ConverseStreamResponseHandler.builder().subscriber(e -> {}).build())
                .join());
    assertThat(streamed.getCause()).isInstanceOf(ThrottlingException.class);
  }

  @Test
  void noReplicaInTimeIsServiceUnavailable() {
    server.gateway.script =
        request -> ScriptedGateway.Script.rejected(
            GatewayError.retryable(GatewayError.Kind.UNAVAILABLE, "no replica in time", Duration.ofSeconds(1)));

    assertThatThrownBy(() -> client.converse(converse(BEDROCK_ID).build()))
        .isInstanceOfSatisfying(ServiceUnavailableException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
  }

  @Test
  void aFailureAfterTheFirstTokenIsAnExceptionFrame() {
    server.gateway.script =
        request -> ScriptedGateway.Script.forRequest(request)
            .failingAfterTokens(GatewayError.of(GatewayError.Kind.BACKEND, "replica went away").midStream());
    List<ConverseStreamOutput> events = new CopyOnWriteArrayList<>();

    CompletionException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class,
            () -> async
                .converseStream(
                    ConverseStreamRequest.builder().modelId(BEDROCK_ID)
                        .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("x")).build())
                        .build(),
                    ConverseStreamResponseHandler.builder().subscriber(events::add).build())
                .join());

    assertThat(failure.getCause())
        .isInstanceOfSatisfying(
            ModelStreamErrorException.class, e -> assertThat(e.getMessage()).contains("replica went away"));
    assertThat(events.get(0).sdkEventType()).isEqualTo(ConverseStreamOutput.EventType.MESSAGE_START);
    assertThat(events).hasSizeGreaterThan(1);
  }

  @Test
  void anArnWithEncodedSlashesNamesTheModel() {
    ConverseResponse response =
        client.converse(converse("arn:aws:bedrock:us-east-1::foundation-model/" + BEDROCK_ID).build());

    assertThat(response.output().message().content().get(0).text()).isEqualTo(ANSWER);
  }

  @Test
  void anOversizedBodyIsAValidationException() throws Exception {
    String prompt = "x".repeat((int) TestServer.MAX_BODY_BYTES + 1);
    var response =
        server.post("/model/" + BEDROCK_ID + "/invoke", "{\"prompt\":\"" + prompt + "\"}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
    assertThat(TestServer.JSON.readTree(response.body()).get("message").asText())
        .isEqualTo("body: over 65536 bytes (expected: at most 65536 bytes)");
  }

  @Test
  void aRawRequestCarriesBedrocksErrorHeaders() throws Exception {
    var response =
        server.post(
            "/model/" + BEDROCK_ID.replace(":", "%3A") + "/converse", "{\"messages\":[]}");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
    assertThat(response.headers().firstValue("x-amzn-RequestId")).isPresent();
    assertThat(TestServer.JSON.readTree(response.body()).get("message").asText())
        .isEqualTo("messages: [] (expected: an array of at least one message)");
    var unknown = server.post("/model/" + BEDROCK_ID + "/converse-later", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("x-amzn-ErrorType")).hasValue("UnknownOperationException");
    assertThat(new String(response.body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).doesNotContain("\"error\"");
  }
}
