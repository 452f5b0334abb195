package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Untrusted input: every bad body or header is a 4xx in OpenAI's error shape naming the field, never
 * a 5xx, never reaches the core, and leaves the server answering the next good request.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HttpBadInputTest {

  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";
  private static final String EMBEDDINGS = "/v1/embeddings";
  private static final String USER = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

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
  void stillAnswersAGoodRequest() throws Exception {
    server.gateway.reset();
    assertThat(server.post(CHAT, TestServer.chat("\"max_tokens\":1")).statusCode()).isEqualTo(200);
    assertThat(server.gateway.callsOffCoreThread).hasValue(0);
    server.gateway.reset();
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        // path, body, param (null: none), code (null: none)
        Arguments.of(CHAT, "{\"model\":", null, null),
        Arguments.of(CHAT, "", null, null),
        Arguments.of(CHAT, "[1,2]", null, null),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\"} trailing", null, null),
        Arguments.of(CHAT, "{" + USER + "}", "model", "missing_required_parameter"),
        Arguments.of(CHAT, "{\"model\":5," + USER + "}", "model", "invalid_type"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\"}", "messages", "missing_required_parameter"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":\"hi\"}", "messages", "invalid_type"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":[]}", "messages", "empty_array"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":[{\"content\":\"hi\"}]}",
            "messages[0].role", "missing_required_parameter"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}",
            "messages[0].role", "invalid_value"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
            "messages[0].content", "invalid_type"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"user\"}]}",
            "messages[0].content", "missing_required_parameter"),
        Arguments.of(CHAT, "{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}",
            "messages[0].tool_call_id", "missing_required_parameter"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":-5"), "max_tokens", "integer_below_min_value"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":0"), "max_tokens", "integer_below_min_value"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":\"ten\""), "max_tokens", "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":1.5"), "max_tokens", "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":1000000"), "max_tokens", "context_length_exceeded"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":1e30"), "max_tokens", "context_length_exceeded"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":99999999999999999999999"), "max_tokens",
            "context_length_exceeded"),
        Arguments.of(CHAT, TestServer.chat("\"max_tokens\":5,\"max_completion_tokens\":8192"),
            "max_completion_tokens", "context_length_exceeded"),
        Arguments.of(CHAT, TestServer.chat("\"n\":2"), "n", "unsupported_value"),
        Arguments.of(CHAT, TestServer.chat("\"n\":\"1\""), "n", "unsupported_value"),
        Arguments.of(CHAT, TestServer.chat("\"temperature\":2.5"), "temperature", "decimal_above_max_value"),
        Arguments.of(CHAT, TestServer.chat("\"temperature\":\"hot\""), "temperature", "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"top_p\":-0.1"), "top_p", "decimal_below_min_value"),
        Arguments.of(CHAT, TestServer.chat("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), "stop",
            "array_above_max_length"),
        Arguments.of(CHAT, TestServer.chat("\"stop\":[1]"), "stop", "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"service_tier\":\"gold\""), "service_tier", "invalid_value"),
        Arguments.of(CHAT, TestServer.chat("\"service_tier\":1"), "service_tier", "invalid_value"),
        Arguments.of(CHAT, TestServer.chat("\"stream\":\"yes\""), "stream", "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"stream\":true,\"stream_options\":\"x\""), "stream_options",
            "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"seed\":1.5"), "seed", "invalid_type"),
        Arguments.of(CHAT, TestServer.chat("\"user\":5"), "user", "invalid_type"),
        Arguments.of(CHAT, "{\"model\":\"e5-small\"," + USER + "}", "model", "model_not_supported"),
        Arguments.of(CHAT,
            "{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "hello ".repeat(8200) + "\"}]}",
            "messages", "context_length_exceeded"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\"}", "prompt", "missing_required_parameter"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":{}}", "prompt", "invalid_type"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":[\"a\",\"b\"]}", "prompt",
            "unsupported_value"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":[1,-2]}", "prompt", "invalid_type"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":[\"a\",3]}", "prompt", "invalid_type"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":\"a\",\"max_tokens\":8192}",
            "max_tokens", "context_length_exceeded"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\"}", "input", "missing_required_parameter"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":\"\"}", "input", "invalid_value"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":[]}", "input", "empty_array"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":[[1],[]]}", "input", "empty_array"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":\"x\",\"encoding_format\":\"hex\"}",
            "encoding_format", "invalid_value"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":\"x\",\"dimensions\":0}", "dimensions",
            "invalid_value"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":\"x\",\"dimensions\":17}", "dimensions",
            "invalid_value"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"llama-3.3-70b\",\"input\":\"x\"}", "model", "model_not_supported"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":\"" + "word ".repeat(600) + "\"}", "input",
            "context_length_exceeded"));
  }

  @ParameterizedTest
  @MethodSource("badBodies")
  void answersABadBodyWith400NamingTheField(String path, String body, String param, String code)
      throws Exception {
    HttpResponse<String> response = server.post(path, body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertOpenAiError(response, "invalid_request_error", param, code);
    assertThat(server.gateway.submitted).isEmpty();
  }

  static Stream<Arguments> badHeaders() {
    return Stream.of(
        Arguments.of("x-spillway-slo-ttft-ms", "-5"),
        Arguments.of("x-spillway-slo-ttft-ms", "fast"),
        Arguments.of("x-spillway-slo-ttft-ms", "NaN"),
        Arguments.of("x-spillway-slo-tpot-ms", "0"),
        Arguments.of("x-spillway-slo-tpot-ms", "1e12"),
        Arguments.of("x-spillway-tenant", "t".repeat(300)));
  }

  @ParameterizedTest
  @MethodSource("badHeaders")
  void answersABadSpillwayHeaderWith400NamingTheHeader(String header, String value) throws Exception {
    HttpResponse<String> response = server.post(CHAT, TestServer.chat(""), header, value);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertOpenAiError(response, "invalid_request_error", header, "invalid_value");
  }

  @Test
  void answersAnOversizedBodyWith413() throws Exception {
    String body = TestServer.chat("\"padding\":\"" + "x".repeat((int) TestServer.MAX_BODY_BYTES) + "\"");

    HttpResponse<String> response = server.post(CHAT, body);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    assertOpenAiError(response, "invalid_request_error", null, "request_too_large");
    assertThat(server.gateway.submitted).isEmpty();
  }

  static Stream<Arguments> acceptedBodies() {
    return Stream.of(
        // What load testers and SDKs send: nulls, extension fields, content parts, tool turns.
        Arguments.of(CHAT, TestServer.chat("\"stop\":null,\"seed\":null,\"stream_options\":null,\"n\":1,"
            + "\"ignore_eos\":true,\"top_k\":5,\"min_p\":0.1,\"repetition_penalty\":1.1,"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]")),
        Arguments.of(CHAT, TestServer.chat("\"stream\":false,\"stream_options\":{\"include_usage\":true,"
            + "\"continuous_usage_stats\":true},\"max_completion_tokens\":3,\"service_tier\":\"priority\"")),
        Arguments.of(CHAT, "{\"model\":\"META-LLAMA/Llama-3.3-70B-Instruct\",\"messages\":["
            + "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"be brief\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:,\"}}]},"
            + "{\"role\":\"user\",\"name\":\"ann\",\"content\":\"hi\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]}"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":[\"one prompt\"],\"echo\":false,"
            + "\"best_of\":1,\"logprobs\":null,\"stop\":\"\\n\"}"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":[[1,2,3]],\"max_tokens\":2}"),
        Arguments.of(COMPLETIONS, "{\"model\":\"llama-3.3-70b\",\"prompt\":\"\"}"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":[[1,2],[3]],\"encoding_format\":null,"
            + "\"user\":\"u\"}"),
        Arguments.of(EMBEDDINGS, "{\"model\":\"e5-small\",\"input\":[1,2,3]}"));
  }

  @ParameterizedTest
  @MethodSource("acceptedBodies")
  void acceptsWhatClientsActuallySend(String path, String body) throws Exception {
    HttpResponse<String> response = server.post(path, body);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static void assertOpenAiError(
      HttpResponse<String> response, String type, String param, String code) throws Exception {
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    JsonNode root = TestServer.json(response);
    assertThat(root.size()).isEqualTo(1);
    JsonNode error = root.path("error");
    assertThat(error.size()).as(response.body()).isEqualTo(4);
    assertThat(error.path("message").isTextual()).isTrue();
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(error.path("type").asText()).isEqualTo(type);
    if (param == null) {
      assertThat(error.path("param").isNull()).as(response.body()).isTrue();
    } else {
      assertThat(error.path("param").asText()).as(response.body()).isEqualTo(param);
    }
    if (code == null) {
      assertThat(error.path("code").isNull()).as(response.body()).isTrue();
    } else {
      assertThat(error.path("code").asText()).as(response.body()).isEqualTo(code);
    }
  }
}
