package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keys over HTTP: who gets in, what they may use, and that no secret ever leaves the gateway. */
class TenantKeysTest {

  static final String ACME_SECRET = "sk-acme-0123456789abcdef";
  static final String OTHER_SECRET = "sk-other-fedcba9876543210";
  static final String OPS_SECRET = "sk-ops-55555555";
  static final String WRONG_SECRET = "sk-wrong-77777777";

  static final String CONFIG =
      "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
          + "models:\n"
          + "  - name: llama-3.1-8b\n    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8}]\n"
          + "  - name: llama-3.3-70b\n    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n"
          + "tenants:\n"
          + "  - name: acme\n"
          + "    models: [llama-3.1-8b]\n"
          + "    tiers: [default, flex]\n"
          + "    keys: [{id: acme-ci, sha256: sha(" + ACME_SECRET + ")}]\n"
          + "  - name: other\n"
          + "    keys: [{id: other-1, sha256: sha(" + OTHER_SECRET + ")}]\n"
          + "admin:\n  keys: [{id: ops, sha256: sha(" + OPS_SECRET + ")}]\n";

  private static KeyedGateway gateway;
  /** Everything the gateway printed while the tests ran. */
  private static final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private static final List<String> bodies = new ArrayList<>();
  private static PrintStream err;
  private static PrintStream out;

  @BeforeAll
  static void start() throws Exception {
    err = System.err;
    out = System.out;
    PrintStream capture = new PrintStream(logs, true, StandardCharsets.UTF_8);
    System.setErr(capture);
    System.setOut(capture);
    gateway = new KeyedGateway(CONFIG);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      gateway.close();
    } finally {
      System.setErr(err);
      System.setOut(out);
    }
  }

  private static HttpResponse<String> seen(HttpResponse<String> response) {
    bodies.add(response.body());
    response.headers().map().forEach((k, v) -> bodies.add(k + ": " + v));
    return response;
  }

  private static void assertOpenAiError(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = KeyedGateway.json(response).get("error");
    assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code")).isTrue();
    assertThat(error.get("code").asText()).isEqualTo(code);
  }

  @Test
  void aRequestWithoutAKeyIs401InvalidApiKey() throws Exception {
    HttpResponse<String> response = seen(gateway.chat("llama-3.1-8b", 2));
    assertOpenAiError(response, 401, "invalid_api_key");
    assertThat(KeyedGateway.json(response).get("error").get("type").asText()).isEqualTo("invalid_request_error");
    assertOpenAiError(seen(gateway.get("/v1/models")), 401, "invalid_api_key");
  }

  @Test
  void anUnknownKeyIs401AndTheAnswerDoesNotRepeatIt() throws Exception {
    HttpResponse<String> response =
        seen(gateway.chat("llama-3.1-8b", 2, "authorization", "Bearer " + WRONG_SECRET));
    assertOpenAiError(response, 401, "invalid_api_key");
    assertThat(response.body()).doesNotContain(WRONG_SECRET);
    // An operator's key is not a tenant's.
    assertOpenAiError(
        seen(gateway.chat("llama-3.1-8b", 2, "authorization", "Bearer " + OPS_SECRET)), 401, "invalid_api_key");
  }

  @Test
  void aTenantsKeyIsAcceptedAsBearerOrAsXApiKey() throws Exception {
    HttpResponse<String> bearer = seen(gateway.chat("llama-3.1-8b", 2, "authorization", "Bearer " + ACME_SECRET));
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(KeyedGateway.json(bearer).get("usage").get("completion_tokens").asInt()).isEqualTo(2);
    HttpResponse<String> apiKey = seen(gateway.chat("llama-3.1-8b", 2, "x-api-key", ACME_SECRET));
    assertThat(apiKey.statusCode()).isEqualTo(200);
  }

  @Test
  void aModelOrTierTheTenantMayNotUseIs403() throws Exception {
    HttpResponse<String> model = seen(gateway.chat("llama-3.3-70b", 2, "authorization", "Bearer " + ACME_SECRET));
    assertOpenAiError(model, 403, "model_not_found");
    assertThat(KeyedGateway.json(model).get("error").get("param").asText()).isEqualTo("model");
    HttpResponse<String> tier =
        seen(
            gateway.post(
                "/v1/chat/completions",
                KeyedGateway.chatBody("llama-3.1-8b", 2, ",\"service_tier\":\"priority\""),
                "authorization", "Bearer " + ACME_SECRET));
    assertOpenAiError(tier, 403, "permission_denied");
    assertThat(KeyedGateway.json(tier).get("error").get("param").asText()).isEqualTo("service_tier");
    // Another tenant without restrictions may use both.
    assertThat(seen(gateway.chat("llama-3.3-70b", 2, "authorization", "Bearer " + OTHER_SECRET)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void theModelListShowsOnlyWhatTheTenantMayUse() throws Exception {
    HttpResponse<String> acme = seen(gateway.get("/v1/models", "authorization", "Bearer " + ACME_SECRET));
    assertThat(acme.statusCode()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    KeyedGateway.json(acme).get("data").forEach(m -> ids.add(m.get("id").asText()));
    assertThat(ids).containsExactly("llama-3.1-8b");
    assertThat(seen(gateway.get("/v1/models/llama-3.3-70b", "authorization", "Bearer " + ACME_SECRET)).statusCode())
        .isEqualTo(404);
  }

  @Test
  void adminNeedsAnOperatorsKey() throws Exception {
    assertOpenAiError(seen(gateway.get("/admin/pools")), 401, "invalid_api_key");
    assertOpenAiError(
        seen(gateway.get("/admin/pools", "authorization", "Bearer " + ACME_SECRET)), 403, "permission_denied");
    assertThat(seen(gateway.get("/admin/pools", "authorization", "Bearer " + OPS_SECRET)).statusCode())
        .isEqualTo(200);
    // Health and metrics stay open for probes and scrapers.
    assertThat(gateway.get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void noSecretAppearsInLogsMetricsOrAnswers() throws Exception {
    // Every kind of answer, with every secret, including a malformed body that the server logs about.
    for (String secret : List.of(ACME_SECRET, OTHER_SECRET, OPS_SECRET, WRONG_SECRET)) {
      seen(gateway.chat("llama-3.1-8b", 2, "authorization", "Bearer " + secret));
      seen(gateway.chat("llama-3.3-70b", 2, "x-api-key", secret));
      seen(gateway.post("/v1/chat/completions", "{not json", "authorization", "Bearer " + secret));
      seen(gateway.get("/admin/pools", "authorization", "Bearer " + secret));
      seen(gateway.get("/v1/nowhere", "authorization", "Bearer " + secret));
    }
    HttpResponse<String> metrics = seen(gateway.get("/metrics"));
    assertThat(metrics.statusCode()).isEqualTo(200);
    System.err.flush();
    String printed = logs.toString(StandardCharsets.UTF_8);
    // The capture works: refusals are logged by key id.
    assertThat(printed).contains("key acme-ci of tenant acme");
    for (String secret : List.of(ACME_SECRET, OTHER_SECRET, OPS_SECRET, WRONG_SECRET)) {
      assertThat(printed).doesNotContain(secret);
      assertThat(metrics.body()).doesNotContain(secret);
      assertThat(bodies).allSatisfy(b -> assertThat(b).doesNotContain(secret));
    }
    // The configuration as printed (its records) holds hashes at most, never secrets.
    assertThat(gateway.app.toString()).doesNotContain(ACME_SECRET);
  }
}
