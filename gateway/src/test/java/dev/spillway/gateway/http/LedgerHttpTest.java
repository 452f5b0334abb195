package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.gateway.config.LedgerConfig;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.ledger.LedgerReader;
import dev.spillway.gateway.ledger.UsageRecord;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage over real HTTP: one ledger record per finished request — plain, streamed, failed after
 * binding, cancelled — durable before the client holds the response's end; {@code /admin/usage}.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LedgerHttpTest {

  @TempDir static Path dir;
  private static Ledger ledger;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    ledger = Ledger.open(LedgerConfig.at(dir));
    server = new TestServer(ledger);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    ledger.close();
  }

  @AfterEach
  void reset() {
    assertThat(server.gateway.callsOffCoreThread).hasValue(0);
    server.gateway.reset();
  }

  /** The records on disk now for {@code requestId}. */
  private static List<UsageRecord> recorded(String requestId) {
    List<UsageRecord> out = new ArrayList<>();
    LedgerReader.read(dir, r -> {
      if (r.requestId().equals(requestId)) {
        out.add(r);
      }
    });
    return out;
  }

  @Test
  void aPlainResponsesRecordIsOnDiskWhenTheClientHasTheBodyWithEveryField() throws Exception {
    HttpResponse<String> response =
        server.post(
            "/v1/chat/completions", TestServer.chat("\"max_tokens\":4"),
            "x-request-id", "plain-1", "x-spillway-tenant", "acme");
    assertThat(response.statusCode()).isEqualTo(200);

    // Read as soon as the response is complete: the record was synced before its last byte went out.
    List<UsageRecord> records = recorded("plain-1");
    assertThat(records).hasSize(1);
    UsageRecord r = records.get(0);
    JsonNode usage = TestServer.json(response).path("usage");
    assertThat(r.tenant()).isEqualTo("acme");
    assertThat(r.keyId()).isNull();
    assertThat(r.model()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    assertThat(r.pool()).isEqualTo(ScriptedGateway.POOL);
    assertThat(r.replica()).isEqualTo(ScriptedGateway.REPLICA);
    assertThat(r.tier()).isEqualTo("default");
    assertThat(r.promptTokens()).isEqualTo(usage.path("prompt_tokens").asInt());
    assertThat(r.completionTokens()).isEqualTo(4).isEqualTo(usage.path("completion_tokens").asInt());
    assertThat(r.ttftMs()).isPresent();
    assertThat(r.ttftMs().getAsDouble()).isPositive().isLessThanOrEqualTo(r.e2eMs());
    assertThat(r.costUsd()).isEqualTo(ScriptedGateway.COST_USD);
    assertThat(r.priceUsd()).isEqualTo(ScriptedGateway.PRICE_USD);
    assertThat(r.outcome()).isEqualTo(UsageRecord.Outcome.SUCCESS);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.time().getEpochSecond()).isCloseTo(Instant.now().getEpochSecond(), offset(60L));
  }

  @Test
  void theResponsesEndIsHeldWhileItsRecordIsBeingSynced(@TempDir Path own) throws Exception {
    Semaphore syncing = new Semaphore(0);
    Semaphore release = new Semaphore(0);
    Ledger.Sync held =
        channel -> {
          syncing.release();
          release.acquireUninterruptibly();
          channel.force(false);
        };
    try (Ledger heldLedger = Ledger.open(LedgerConfig.at(own), Clock.systemUTC(), held)) {
      TestServer heldServer = new TestServer(heldLedger);
      try {
        for (boolean stream : new boolean[] {false, true}) {
          CompletableFuture<HttpResponse<String>> response =
              heldServer.http.sendAsync(
                  HttpRequest.newBuilder(URI.create(heldServer.base + "/v1/chat/completions"))
                      .header("content-type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(
                          TestServer.chat("\"max_tokens\":3,\"stream\":" + stream)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          syncing.acquire(); // the request finished and its record is written, not yet synced
          assertThatThrownBy(() -> response.get(200, TimeUnit.MILLISECONDS))
              .as("stream: %s", stream)
              .isInstanceOf(TimeoutException.class);
          release.release();
          assertThat(response.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        assertThat(heldServer.gateway.callsOffCoreThread).hasValue(0);
      } finally {
        release.release(100); // never leave the writer stuck
        heldServer.close();
      }
    }
  }

  @Test
  void aStreamsRecordIsOnDiskWhenItsDoneChunkArrives() throws Exception {
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post(
          "/v1/chat/completions",
          TestServer.chat("\"stream\":true,\"service_tier\":\"priority\",\"user\":\"streamer\""));
      String body = raw.chunkedBody();
      assertThat(body).endsWith("data: [DONE]\n\n");

      List<UsageRecord> records = recorded(raw.headers.get("x-request-id"));
      assertThat(records).hasSize(1);
      UsageRecord r = records.get(0);
      assertThat(r.tenant()).isEqualTo("streamer");
      assertThat(r.tier()).isEqualTo("priority");
      assertThat(r.completionTokens()).isEqualTo(ScriptedGateway.TOKENS.size());
      assertThat(r.outcome()).isEqualTo(UsageRecord.Outcome.SUCCESS);
      assertThat(r.priceUsd()).isEqualTo(ScriptedGateway.PRICE_USD);
    }
  }

  @Test
  void anEmbeddingIsRecordedWithItsPromptTokensAndNoCompletion() throws Exception {
    HttpResponse<String> response =
        server.post(
            "/v1/embeddings",
            "{\"model\":\"" + ScriptedGateway.EMBEDDING_MODEL + "\",\"input\":\"hello there\"}",
            "x-request-id", "embed-1");
    assertThat(response.statusCode()).isEqualTo(200);
    UsageRecord r = recorded("embed-1").get(0);
    assertThat(r.model()).isEqualTo(ScriptedGateway.EMBEDDING_MODEL);
    assertThat(r.promptTokens()).isEqualTo(TestServer.json(response).path("usage").path("prompt_tokens").asInt());
    assertThat(r.completionTokens()).isZero();
    assertThat(r.ttftMs()).isEmpty();
  }

  @Test
  void aFailureAfterTheFirstTokenIsRecordedAsAnErrorWithTheTokensSent() throws Exception {
    server.gateway.script =
        request -> ScriptedGateway.Script.forRequest(request)
            .failingAfterTokens(GatewayError.of(GatewayError.Kind.BACKEND, "replica lost").midStream());
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/chat/completions", TestServer.chat("\"stream\":true,\"max_tokens\":2"));
      assertThat(raw.chunkedBody()).contains("replica lost").doesNotContain("[DONE]");

      UsageRecord r = recorded(raw.headers.get("x-request-id")).get(0);
      assertThat(r.outcome()).isEqualTo(UsageRecord.Outcome.ERROR);
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.completionTokens()).isEqualTo(2);
      assertThat(r.pool()).isEqualTo(ScriptedGateway.POOL);
      assertThat(r.costUsd()).isZero();
    }
  }

  @Test
  void aRequestRefusedBeforeBindingLeavesNoRecord() throws Exception {
    server.gateway.script =
        request -> ScriptedGateway.Script.rejected(
            GatewayError.retryable(GatewayError.Kind.QUEUE_FULL, "queue full", Duration.ofSeconds(2)));
    HttpResponse<String> response =
        server.post("/v1/chat/completions", TestServer.chat(""), "x-request-id", "refused-1");
    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(recorded("refused-1")).isEmpty();
  }

  @Test
  void aClientThatLeavesMidStreamIsRecordedAsCancelledWithTheTokensItWasSent() throws Exception {
    server.gateway.script =
        request -> new ScriptedGateway.Script(
            Collections.nCopies(500, " tok"), 10, FinishReason.STOP, null, null);
    String id;
    try (TestServer.Raw raw = new TestServer.Raw(server.port())) {
      raw.post("/v1/chat/completions", TestServer.chat("\"stream\":true,\"max_tokens\":1000"));
      assertThat(new String(raw.chunk(), StandardCharsets.UTF_8)).startsWith("data: {");
      id = raw.headers.get("x-request-id");
    }
    Optional<UsageRecord> record = Optional.empty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (record.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
      record = recorded(id).stream().findFirst();
    }
    assertThat(record).isPresent();
    UsageRecord r = record.get();
    assertThat(r.outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(r.status()).isEqualTo(Exchange.CLIENT_CLOSED);
    assertThat(r.completionTokens()).isBetween(1, 499);
    assertThat(r.pool()).isEqualTo(ScriptedGateway.POOL);
    assertThat(recorded(id)).hasSize(1);
  }

  @Test
  void adminUsageSumsTheRecordsOfATenantPerModel() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(
              server.post("/v1/chat/completions", TestServer.chat("\"max_tokens\":2"),
                  "x-spillway-tenant", "usage-tenant").statusCode())
          .isEqualTo(200);
    }
    HttpResponse<String> response = server.get("/admin/usage?tenant=usage-tenant&group_by=model");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = TestServer.json(response);
    assertThat(body.path("group_by").asText()).isEqualTo("model");
    assertThat(body.path("tenant").asText()).isEqualTo("usage-tenant");
    assertThat(body.path("data")).hasSize(1);
    JsonNode group = body.path("data").get(0);
    assertThat(group.path("group").asText()).isEqualTo(ScriptedGateway.CHAT_MODEL);
    assertThat(group.path("requests").asLong()).isEqualTo(3);
    assertThat(group.path("completion_tokens").asLong()).isEqualTo(6);
    assertThat(group.path("price_usd").asDouble()).isCloseTo(3 * ScriptedGateway.PRICE_USD, offset(1e-12));
    assertThat(group.path("outcomes").path("success").asLong()).isEqualTo(3);
    assertThat(body.path("total").path("requests").asLong()).isEqualTo(3);
    assertThat(body.path("skipped_lines").asLong()).isZero();
  }

  @Test
  void badUsageParametersAreA400InOpenAisShapeNamingTheParameter() throws Exception {
    String[][] cases = {
      {"/admin/usage?group_by=week", "group_by", "group_by: week (expected: tenant, model, key, tag or day)"},
      {"/admin/usage?from=yesterday", "from", null},
      {"/admin/usage?from=2025-02-01&to=2025-01-01", "to", null},
      {"/admin/usage?tenant=a&tenant=b", "tenant", "tenant: given 2 times (expected: at most once)"},
      {"/admin/usage?user=a", "user", null},
      {"/admin/usage?model=", "model", null},
    };
    for (String[] c : cases) {
      HttpResponse<String> response = server.get(c[0]);
      assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
      JsonNode error = TestServer.json(response).path("error");
      assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.path("param").asText()).as(c[0]).isEqualTo(c[1]);
      assertThat(error.path("code").asText()).isEqualTo("invalid_value");
      if (c[2] != null) {
        assertThat(error.path("message").asText()).isEqualTo(c[2]);
      }
    }
  }

  @Test
  void adminUsageIsA404WhenTheLedgerIsOff() throws Exception {
    TestServer off = new TestServer();
    try {
      HttpResponse<String> response = off.get("/admin/usage");
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(TestServer.json(response).path("error").path("code").asText()).isEqualTo("unknown_url");
    } finally {
      off.close();
    }
  }
}
