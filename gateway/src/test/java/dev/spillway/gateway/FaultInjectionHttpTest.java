package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults on emulated pools, configured and set through {@code /admin/pools/{pool}/faults}. */
class FaultInjectionHttpTest {

  static final String TENANT_SECRET = "sk-tenant-0123456789";
  static final String OPS_SECRET = "sk-ops-0123456789";
  static final String OPS = "Bearer " + OPS_SECRET;
  static final String TENANT = "Bearer " + TENANT_SECRET;

  static final String CONFIG =
      "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
          + "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    pools: [{name: broken, kind: emulated, accelerator: p5.48xlarge, dtype: fp8,"
          + " faults: {errorRate: 1, seed: 1}}]\n"
          + "  - name: llama-3.3-70b\n"
          + "    pools: [{name: team/healthy, kind: emulated, accelerator: p5.48xlarge}]\n"
          + "  - name: remote\n"
          + "    pools: [{name: far, kind: upstream, url: 'http://127.0.0.1:9/v1'}]\n"
          + "tenants:\n"
          + "  - name: acme\n"
          + "    keys: [{id: acme-1, sha256: sha(" + TENANT_SECRET + ")}]\n"
          + "admin:\n  keys: [{id: ops, sha256: sha(" + OPS_SECRET + ")}]\n";

  private static KeyedGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new KeyedGateway(CONFIG);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  private static HttpResponse<String> delete(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway.base + path)).timeout(Duration.ofSeconds(30)).DELETE();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return gateway.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode error(HttpResponse<String> response) throws Exception {
    JsonNode error = KeyedGateway.json(response).get("error");
    assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code")).isTrue();
    return error;
  }

  @Test
  void aPoolConfiguredToFailEveryRequestAnswers5xx() throws Exception {
    HttpResponse<String> answer = gateway.chat("llama-3.1-8b", 4, "authorization", TENANT);
    assertThat(answer.statusCode()).isBetween(500, 599);
    assertThat(error(answer).get("message").asText()).contains("injected error");
  }

  @Test
  void faultsSetAtRunTimeTakeHoldAndClearing() throws Exception {
    assertThat(gateway.chat("llama-3.3-70b", 4, "authorization", TENANT).statusCode()).isEqualTo(200);

    HttpResponse<String> set =
        gateway.post("/admin/pools/team/healthy/faults", "{\"errorRate\": 1}", "authorization", OPS);
    assertThat(set.statusCode()).isEqualTo(200);
    JsonNode body = KeyedGateway.json(set);
    assertThat(body.get("pool").asText()).isEqualTo("team/healthy");
    assertThat(body.get("faults").get("errorRate").asDouble()).isEqualTo(1.0);
    assertThat(gateway.chat("llama-3.3-70b", 4, "authorization", TENANT).statusCode()).isBetween(500, 599);

    HttpResponse<String> cleared = gateway.post("/admin/pools/team/healthy/faults", "", "authorization", OPS);
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(KeyedGateway.json(cleared).get("faults").get("errorRate").asDouble()).isZero();
    assertThat(gateway.chat("llama-3.3-70b", 4, "authorization", TENANT).statusCode()).isEqualTo(200);

    gateway.post("/admin/pools/team/healthy/faults", "{\"errorRate\": 1}", "authorization", OPS);
    assertThat(delete("/admin/pools/team/healthy/faults", "authorization", OPS).statusCode()).isEqualTo(200);
    assertThat(gateway.chat("llama-3.3-70b", 4, "authorization", TENANT).statusCode()).isEqualTo(200);
  }

  @Test
  void anUnknownPoolIs404() throws Exception {
    HttpResponse<String> answer =
        gateway.post("/admin/pools/nowhere/faults", "{\"errorRate\": 0.5}", "authorization", OPS);
    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(error(answer).get("message").asText()).startsWith("pool: nowhere (expected: one of");
  }

  @Test
  void aBadFieldIs400NamingIt() throws Exception {
    HttpResponse<String> answer =
        gateway.post(
            "/admin/pools/team/healthy/faults", "{\"stall\": {\"probability\": 2, \"duration\": 1}}",
            "authorization", OPS);
    assertThat(answer.statusCode()).isEqualTo(400);
    JsonNode error = error(answer);
    assertThat(error.get("param").asText()).isEqualTo("faults.stall.probability");
    assertThat(error.get("message").asText()).isEqualTo("faults.stall.probability: 2 (expected: from 0 to 1)");
    assertThat(gateway.post("/admin/pools/team/healthy/faults", "[1]", "authorization", OPS).statusCode())
        .isEqualTo(400);
    assertThat(gateway.post("/admin/pools/team/healthy/faults", "{nope", "authorization", OPS).statusCode())
        .isEqualTo(400);
  }

  @Test
  void aPoolThatIsNotEmulatedIs409() throws Exception {
    HttpResponse<String> answer =
        gateway.post("/admin/pools/far/faults", "{\"errorRate\": 0.5}", "authorization", OPS);
    assertThat(answer.statusCode()).isEqualTo(409);
    assertThat(error(answer).get("message").asText()).contains("expected: an emulated pool");
  }

  @Test
  void faultsNeedAnAdminKey() throws Exception {
    assertThat(gateway.post("/admin/pools/team/healthy/faults", "{}").statusCode()).isEqualTo(401);
    assertThat(gateway.post("/admin/pools/team/healthy/faults", "{}", "authorization", TENANT).statusCode())
        .isEqualTo(403);
  }
}
