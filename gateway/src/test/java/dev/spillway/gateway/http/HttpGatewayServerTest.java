package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.core.GatewayRequest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Plain (non-streaming) responses, models, operational endpoints and headers over real HTTP. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HttpGatewayServerTest {

  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

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
  void reset() {
    assertThat(server.gateway.callsOffCoreThread).hasValue(0);
    server.gateway.reset();
  }

  // ---------------------------------------------------------------- chat and completions

  @Test
  void answersAChatCompletionWithEveryRequiredKeyAndTheSpillwayHeaders() throws Exception {
    HttpResponse<String> response = server.post("/v1/chat/completions", TestServer.chat("\"max_tokens\":4"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("openai-version")).hasValue("2020-10-01");
    assertThat(response.headers().firstValue("openai-processing-ms")).isPresent();
    assertThat(response.headers().firstValue("x-spillway-pool")).hasValue(ScriptedGateway.POOL);
    assertThat(response.headers().firstValue("x-spillway-replica")).hasValue(ScriptedGateway.REPLICA);
    assertThat(response.headers().firstValue("x-spillway-attempts")).hasValue("1");
    assertThat(response.headers().firstValue("x-spillway-cost-usd")).hasValue("0.0000125");
    assertThat(response.headers().firstValue("x-spillway-price-usd")).hasValue("0.00045");
    assertThat(response.headers().firstValue("x-spillway-queue-ms")).hasValue("1.500");
    JsonNode body = TestServer.json(response);
    assertThat(body.path("id").asText()).startsWith("chatcmpl-").hasSize("chatcmpl-".length() + 29);
    assertThat(body.path("object").asText()).isEqualTo("chat.completion");
    assertThat(body.path("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000, offset(5L));
    assertThat(body.path("model").asText()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello, \"world\"!");
    assertThat(choice.path("message").has("refusal")).isTrue();
    assertThat(choice.has("logprobs")).isTrue();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("length");
    // Cookbook count: 3 per message + role + content, + 3 priming the reply.
    int prompt = 3 + CL100K.countTokens("user") + CL100K.countTokens("Say hello.") + 3;
    assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(prompt);
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
    assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(prompt + 4);
  }

  @Test
  void handsTheCoreAParsedRequestWithTenantTierSloAndDefaults() throws Exception {
    HttpResponse<String> response =
        server.post(
            "/v1/chat/completions",
            TestServer.chat("\"service_tier\":\"flex\",\"user\":\"bob\",\"seed\":7,\"stop\":[\"\\n\"],"
                + "\"temperature\":0.5,\"top_p\":0.9,\"ignore_eos\":true,\"top_k\":5"),
            "x-request-id", "bench-42", "x-spillway-tenant", "team-a",
            "x-spillway-slo-ttft-ms", "250", "x-spillway-slo-tpot-ms", "40.5");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-request-id")).hasValue("bench-42");
    GatewayRequest request = server.gateway.lastSubmitted();
    assertThat(request.id()).isEqualTo("bench-42");
    assertThat(request.tenant()).isEqualTo("team-a");
    assertThat(request.tier()).isEqualTo(ServiceTier.FLEX);
    assertThat(request.maxOutputTokens()).isEqualTo(ScriptedGateway.DEFAULT_MAX_TOKENS);
    assertThat(request.sampling().temperature()).isEqualTo(0.5);
    assertThat(request.sampling().topP()).isEqualTo(0.9);
    assertThat(request.sampling().seed()).hasValue(7);
    assertThat(request.sampling().stop()).containsExactly("\n");
    assertThat(request.slo()).contains(
        new GatewayRequest.Slo(Duration.ofMillis(250), Duration.ofNanos(40_500_000)));
    assertThat(request.prompt()).isEqualTo("Say hello.");
    assertThat(request.embedding()).isFalse();
  }

  @Test
  void takesTheTenantFromUserAndDefaultsToAnonymous() throws Exception {
    server.post("/v1/chat/completions", TestServer.chat("\"user\":\"bob\""));
    assertThat(server.gateway.lastSubmitted().tenant()).isEqualTo("bob");

    server.post("/v1/chat/completions", TestServer.chat("\"service_tier\":\"auto\""));
    assertThat(server.gateway.lastSubmitted().tenant()).isEqualTo("anonymous");
    assertThat(server.gateway.lastSubmitted().tier()).isEqualTo(ServiceTier.DEFAULT);
    assertThat(server.gateway.lastSubmitted().slo()).isEmpty();
  }

  @Test
  void answersATextCompletionWithSixteenTokensByDefault() throws Exception {
    HttpResponse<String> response =
        server.post("/v1/completions", "{\"model\":\"llama-3.3-70b\",\"prompt\":\"Once upon a time\"}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(server.gateway.lastSubmitted().maxOutputTokens()).isEqualTo(16);
    assertThat(server.gateway.lastSubmitted().promptTokens()).isEqualTo(CL100K.countTokens("Once upon a time"));
    JsonNode body = TestServer.json(response);
    assertThat(body.path("id").asText()).startsWith("cmpl-");
    assertThat(body.path("object").asText()).isEqualTo("text_completion");
    JsonNode choice = body.path("choices").get(0);
    assertThat(choice.path("text").asText()).isEqualTo("Hello, \"world\"!\n Bye");
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.has("logprobs")).isTrue();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(6);
  }

  @Test
  void countsTokenIdPromptsByTheirIds() throws Exception {
    HttpResponse<String> response =
        server.post("/v1/completions", "{\"model\":\"llama-3.3-70b\",\"prompt\":[9906,11,1917],\"max_tokens\":1}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(server.gateway.lastSubmitted().promptTokens()).isEqualTo(3);
    assertThat(server.gateway.lastSubmitted().prompt()).isEqualTo("Hello, world");
  }

  // ---------------------------------------------------------------- embeddings

  @Test
  void embedsAsUnitFloatVectorsThatDependOnlyOnTheInput() throws Exception {
    String body = "{\"model\":\"e5-small\",\"input\":[\"alpha\",\"beta\",\"alpha\"],\"encoding_format\":\"float\"}";
    HttpResponse<String> response = server.post("/v1/embeddings", body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-spillway-pool")).isPresent();
    JsonNode json = TestServer.json(response);
    assertThat(json.path("object").asText()).isEqualTo("list");
    assertThat(json.path("model").asText()).isEqualTo(ScriptedGateway.EMBEDDING_MODEL);
    int tokens = CL100K.countTokens("alpha") * 2 + CL100K.countTokens("beta");
    assertThat(json.path("usage").path("prompt_tokens").asInt()).isEqualTo(tokens);
    assertThat(json.path("usage").path("total_tokens").asInt()).isEqualTo(tokens);
    assertThat(json.path("usage").size()).isEqualTo(2);
    assertThat(json.path("data")).hasSize(3);
    float[][] vectors = new float[3][];
    for (int i = 0; i < 3; i++) {
      JsonNode item = json.path("data").get(i);
      assertThat(item.path("object").asText()).isEqualTo("embedding");
      assertThat(item.path("index").asInt()).isEqualTo(i);
      vectors[i] = floats(item.path("embedding"));
      assertThat(vectors[i]).hasSize(ScriptedGateway.EMBEDDING_DIMENSIONS);
      assertThat(norm(vectors[i])).isCloseTo(1.0, offset(1e-5));
    }
    assertThat(vectors[0]).isEqualTo(vectors[2]).isNotEqualTo(vectors[1]);
    GatewayRequest request = server.gateway.lastSubmitted();
    assertThat(request.embedding()).isTrue();
    assertThat(request.maxOutputTokens()).isEqualTo(1);
    assertThat(request.promptTokens()).isEqualTo(tokens);
  }

  @Test
  void encodesBase64AsLittleEndianFloat32OfTheSameVector() throws Exception {
    JsonNode floats =
        TestServer.json(server.post("/v1/embeddings", "{\"model\":\"e5-small\",\"input\":\"rivers\"}"));
    HttpResponse<String> response =
        server.post("/v1/embeddings", "{\"model\":\"e5-small\",\"input\":\"rivers\",\"encoding_format\":\"base64\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    String encoded = TestServer.json(response).path("data").get(0).path("embedding").asText();
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    float[] decoded = new float[bytes.remaining() / 4];
    for (int i = 0; i < decoded.length; i++) {
      decoded[i] = bytes.getFloat();
    }
    assertThat(decoded).isEqualTo(floats(floats.path("data").get(0).path("embedding")));
  }

  @Test
  void shortensVectorsToTheRequestedDimensions() throws Exception {
    JsonNode json =
        TestServer.json(server.post("/v1/embeddings", "{\"model\":\"e5-small\",\"input\":\"x\",\"dimensions\":4}"));

    float[] vector = floats(json.path("data").get(0).path("embedding"));
    assertThat(vector).hasSize(4);
    assertThat(norm(vector)).isCloseTo(1.0, offset(1e-5));
  }

  // ---------------------------------------------------------------- models

  @Test
  void listsModelsWithRootAndMaxModelLen() throws Exception {
    HttpResponse<String> response = server.get("/v1/models");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = TestServer.json(response);
    assertThat(body.path("object").asText()).isEqualTo("list");
    assertThat(body.path("data")).hasSize(2);
    JsonNode model = body.path("data").get(0);
    assertThat(model.path("id").asText()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    assertThat(model.path("object").asText()).isEqualTo("model");
    assertThat(model.path("created").asLong()).isEqualTo(ScriptedGateway.CREATED);
    assertThat(model.path("owned_by").asText()).isEqualTo("spillway");
    assertThat(model.path("root").asText()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    assertThat(model.path("max_model_len").asInt()).isEqualTo(ScriptedGateway.CONTEXT);
  }

  @Test
  void resolvesAModelIdWithAnEncodedSlash() throws Exception {
    HttpResponse<String> response = server.get("/v1/models/meta-llama%2FLlama-3.3-70B-Instruct");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode model = TestServer.json(response);
    assertThat(model.path("id").asText()).isEqualTo(ScriptedGateway.CHAT_ALIAS);
    assertThat(model.path("root").asText()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    assertThat(server.get("/v1/models/meta-llama/Llama-3.3-70B-Instruct").statusCode()).isEqualTo(200);
    assertThat(server.get("/v1/models/llama-3.3-70b").statusCode()).isEqualTo(200);
  }

  @Test
  void answersAnUnknownModelIdWithModelNotFound() throws Exception {
    HttpResponse<String> response = server.get("/v1/models/gpt-9");

    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = TestServer.json(response).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("param").asText()).isEqualTo("model");
  }

  // ---------------------------------------------------------------- core errors

  @Test
  void answersAnUnknownModelInARequestWith404ModelNotFound() throws Exception {
    HttpResponse<String> response =
        server.post("/v1/chat/completions", TestServer.chat("").replace("llama-3.3-70b", "gpt-9"));

    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = TestServer.json(response).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("message").asText()).contains("gpt-9");
    assertThat(server.gateway.submitted).isEmpty();
  }

  @Test
  void answersAFullQueueWith429AndRetryHeaders() throws Exception {
    server.gateway.script =
        request -> ScriptedGateway.Script.rejected(
            GatewayError.retryable(GatewayError.Kind.QUEUE_FULL, "queue full for tier default", Duration.ofMillis(300)));

    HttpResponse<String> response = server.post("/v1/chat/completions", TestServer.chat(""));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    assertThat(response.headers().firstValue("retry-after-ms")).hasValue("300");
    assertThat(response.headers().firstValue("x-should-retry")).isEmpty();
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    JsonNode error = TestServer.json(response).path("error");
    assertThat(error.path("type").asText()).isEqualTo("requests");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.path("message").asText()).isEqualTo("queue full for tier default");
  }

  @Test
  void tellsClientsNotToRetryABackendFailureOrATimeout() throws Exception {
    for (GatewayError.Kind kind : List.of(GatewayError.Kind.BACKEND, GatewayError.Kind.TIMEOUT)) {
      server.gateway.script = request -> ScriptedGateway.Script.rejected(GatewayError.of(kind, "failed"));

      HttpResponse<String> response = server.post("/v1/chat/completions", TestServer.chat(""));

      assertThat(response.statusCode()).isEqualTo(kind.status());
      assertThat(response.headers().firstValue("x-should-retry")).hasValue("false");
      assertThat(response.headers().firstValue("retry-after")).isEmpty();
      assertThat(TestServer.json(response).path("error").path("type").asText()).isEqualTo("server_error");
    }
  }

  @Test
  void answersAnErrorAfterTokensOfAPlainRequestWithItsStatus() throws Exception {
    server.gateway.script =
        request -> ScriptedGateway.Script.forRequest(request)
            .failingAfterTokens(GatewayError.of(GatewayError.Kind.TIMEOUT, "deadline passed"));

    HttpResponse<String> response = server.post("/v1/chat/completions", TestServer.chat(""));

    assertThat(response.statusCode()).isEqualTo(504);
    assertThat(TestServer.json(response).path("error").path("message").asText()).isEqualTo("deadline passed");
  }

  // ---------------------------------------------------------------- operations

  @Test
  void answersHealthReadyMetricsAndPools() throws Exception {
    assertThat(server.get("/health").statusCode()).isEqualTo(200);
    assertThat(server.get("/ready").statusCode()).isEqualTo(200);
    server.gateway.ready = false;
    HttpResponse<String> notReady = server.get("/ready");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(server.get("/health").statusCode()).isEqualTo(200);

    HttpResponse<String> metrics = server.get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body()).isEqualTo(TestServer.METRICS);

    HttpResponse<String> pools = server.get("/admin/pools");
    assertThat(pools.statusCode()).isEqualTo(200);
    JsonNode pool = TestServer.json(pools).path("pools").get(0);
    assertThat(pool.path("pool").asText()).isEqualTo(ScriptedGateway.POOL);
    assertThat(pool.path("predicted_ttft_ms").asDouble()).isEqualTo(180.5);
    assertThat(pool.path("replicas").get(0).path("id").asText()).isEqualTo(ScriptedGateway.REPLICA);
    assertThat(pool.path("replicas").get(0).path("kv_usage").asDouble()).isEqualTo(0.25);
    JsonNode error = pool.path("prediction_error");
    assertThat(error.path("samples").asLong()).isEqualTo(1500);
    assertThat(error.path("window").asInt()).isEqualTo(1024);
    assertThat(error.path("ttft_samples").asInt()).isEqualTo(1024);
    assertThat(error.path("ttft_median_abs_error").asDouble()).isEqualTo(0.125);
    assertThat(error.path("ttft_median_bias").asDouble()).isEqualTo(-0.0625);
    assertThat(error.path("tpot_samples").asInt()).isEqualTo(1000);
    assertThat(error.path("tpot_median_abs_error").asDouble()).isEqualTo(0.0875);
    assertThat(error.path("tpot_median_bias").asDouble()).isEqualTo(0.03125);
  }

  @Test
  void putsARequestIdOnEveryResponseAndEchoesOnlyAcceptableOnes() throws Exception {
    for (HttpResponse<String> response :
        List.of(server.get("/health"), server.get("/nowhere"), server.get("/v1/models/nope"),
            server.post("/v1/chat/completions", "{"), server.post("/v1/models", "{}"))) {
      assertThat(response.headers().firstValue("x-request-id")).as(response.uri().toString())
          .hasValueSatisfying(id -> assertThat(id).matches("req_[0-9a-f]{32}"));
      assertThat(response.headers().firstValue("openai-version")).hasValue("2020-10-01");
    }
    String tooLong = "x".repeat(257);
    HttpResponse<String> replaced =
        server.http.send(
            HttpRequest.newBuilder(URI.create(server.base + "/health")).header("x-request-id", tooLong).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(replaced.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
  }

  @Test
  void answersUnknownPathsWith404AndWrongMethodsWith405InOpenAiShape() throws Exception {
    HttpResponse<String> notFound = server.get("/v1/nothing");
    HttpResponse<String> wrongMethod = server.get("/v1/chat/completions");

    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(TestServer.json(notFound).path("error").path("code").asText()).isEqualTo("unknown_url");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    JsonNode error = TestServer.json(wrongMethod).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.has("param")).isTrue();
  }

  private static float[] floats(JsonNode array) {
    float[] floats = new float[array.size()];
    for (int i = 0; i < floats.length; i++) {
      floats[i] = array.get(i).floatValue();
    }
    return floats;
  }

  private static double norm(float[] vector) {
    double sum = 0;
    for (float f : vector) {
      sum += (double) f * f;
    }
    return Math.sqrt(sum);
  }
}
