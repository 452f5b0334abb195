package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Limits over HTTP: headers that move, 429 with Retry-After, insufficient_quota, settling to usage. */
class TenantLimitsTest {

  static final String MODELS =
      "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
          + "models:\n"
          + "  - name: llama-3.1-8b\n    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8}]\n";

  private static long header(HttpResponse<String> r, String name) {
    return Long.parseLong(r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name)));
  }

  private static int usedTokens(HttpResponse<String> r) throws Exception {
    return KeyedGateway.json(r).get("usage").get("total_tokens").asInt();
  }

  @Test
  void rateLimitHeadersMoveAndTheLimitAnswers429WithRetryAfter() throws Exception {
    try (KeyedGateway gateway =
        new KeyedGateway(MODELS + "tenants: [{name: acme, rpm: 3, tpm: 100000, keys: [{id: k, sha256: sha(s)}]}]\n")) {
      List<Long> remainingRequests = new ArrayList<>();
      List<Long> remainingTokens = new ArrayList<>();
      long used = 0;
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = gateway.chat("llama-3.1-8b", 5, "authorization", "Bearer s");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "x-ratelimit-limit-requests")).isEqualTo(3);
        assertThat(header(r, "x-ratelimit-limit-tokens")).isEqualTo(100_000);
        assertThat(r.headers().firstValue("x-ratelimit-reset-requests").orElseThrow()).matches("(1m0s|\\d{1,2}(\\.\\d+)?s|\\d+ms)");
        remainingRequests.add(header(r, "x-ratelimit-remaining-requests"));
        remainingTokens.add(header(r, "x-ratelimit-remaining-tokens"));
        // What this request reserved is in its own header; earlier ones count what they used.
        used += usedTokens(r);
        assertThat(header(r, "x-ratelimit-remaining-tokens")).isEqualTo(100_000 - used);
      }
      assertThat(remainingRequests).containsExactly(2L, 1L, 0L);
      assertThat(remainingTokens).isSortedAccordingTo((a, b) -> Long.compare(b, a)).doesNotHaveDuplicates();

      HttpResponse<String> limited = gateway.chat("llama-3.1-8b", 5, "authorization", "Bearer s");
      assertThat(limited.statusCode()).isEqualTo(429);
      JsonNode error = KeyedGateway.json(limited).get("error");
      assertThat(error.get("type").asText()).isEqualTo("requests");
      assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(error.get("message").asText()).contains("requests per min (RPM): Limit 3, Used 3");
      long retryAfter = header(limited, "retry-after");
      assertThat(retryAfter).isBetween(1L, 60L);
      assertThat(header(limited, "retry-after-ms")).isBetween(1L, 60_000L);
      assertThat(header(limited, "x-ratelimit-remaining-requests")).isZero();

      // Naming another tenant does not escape the key's own limit.
      HttpResponse<String> disguised =
          gateway.chat("llama-3.1-8b", 5, "authorization", "Bearer s", "x-spillway-tenant", "someone-else");
      assertThat(disguised.statusCode()).isEqualTo(429);
    }
  }

  @Test
  void tokensAreSettledToTheRealUsageWhenTheAnswerIsShorterThanMaxTokens() throws Exception {
    try (KeyedGateway gateway =
        new KeyedGateway(MODELS + "tenants: [{name: acme, tpm: 10000, keys: [{id: k, sha256: sha(s)}]}]\n")) {
      // A stop sequence ends the emulated answer early: far fewer tokens than the 500 reserved.
      HttpResponse<String> short1 =
          gateway.post(
              "/v1/chat/completions",
              KeyedGateway.chatBody("llama-3.1-8b", 500, ",\"stop\":[\".\",\",\"]"),
              "authorization", "Bearer s");
      assertThat(short1.statusCode()).isEqualTo(200);
      int used = usedTokens(short1);
      int prompt = KeyedGateway.json(short1).get("usage").get("prompt_tokens").asInt();
      assertThat(used - prompt).isLessThan(500);
      assertThat(header(short1, "x-ratelimit-remaining-tokens")).isEqualTo(10_000 - prompt - 500);

      HttpResponse<String> next = gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s");
      // The first request now counts what it used, not what it reserved.
      assertThat(header(next, "x-ratelimit-remaining-tokens")).isEqualTo(10_000 - used - prompt - 1);
      // A request that cannot fit even alone is refused with the tokens type.
      HttpResponse<String> tooLarge = gateway.chat("llama-3.1-8b", 20_000, "authorization", "Bearer s");
      assertThat(tooLarge.statusCode()).isIn(400, 429);
    }
  }

  @Test
  void aSpentBudgetIs429InsufficientQuotaWithoutRetryHints() throws Exception {
    // llama-3.1-8b lists at $0.22 per million tokens: about $0.0000048 for a 22-token request.
    try (KeyedGateway gateway =
        new KeyedGateway(
            MODELS + "tenants: [{name: acme, budget: {usd: 0.00002, period: day}, keys: [{id: k, sha256: sha(s)}]}]\n")) {
      double spent = 0;
      double lastPrice = 0;
      HttpResponse<String> refused = null;
      for (int i = 0; i < 20 && refused == null; i++) {
        HttpResponse<String> r = gateway.chat("llama-3.1-8b", 10, "authorization", "Bearer s");
        if (r.statusCode() == 200) {
          lastPrice = Double.parseDouble(r.headers().firstValue("x-spillway-price-usd").orElseThrow());
          spent += lastPrice;
        } else {
          refused = r;
        }
      }
      assertThat(refused).as("a request refused within 20").isNotNull();
      assertThat(refused.statusCode()).isEqualTo(429);
      JsonNode error = KeyedGateway.json(refused).get("error");
      assertThat(error.get("type").asText()).isEqualTo("insufficient_quota");
      assertThat(error.get("code").asText()).isEqualTo("insufficient_quota");
      assertThat(refused.headers().firstValue("retry-after")).isEmpty();
      assertThat(refused.headers().firstValue("x-should-retry")).contains("false");
      // Admitted exactly while the budget held: what was spent fits, one more request would not.
      assertThat(spent).isLessThanOrEqualTo(0.00002).isGreaterThan(0.00002 - lastPrice);
    }
  }

  @Test
  void aStreamedAnswerIsCountedAndCarriesTheHeaders() throws Exception {
    try (KeyedGateway gateway =
        new KeyedGateway(MODELS + "tenants: [{name: acme, rpm: 10, tpm: 10000, keys: [{id: k, sha256: sha(s)}]}]\n")) {
      HttpResponse<String> stream =
          gateway.post(
              "/v1/chat/completions",
              KeyedGateway.chatBody("llama-3.1-8b", 7, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"),
              "authorization", "Bearer s");
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(header(stream, "x-ratelimit-remaining-requests")).isEqualTo(9);
      HttpResponse<String> next = gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s");
      assertThat(header(next, "x-ratelimit-remaining-requests")).isEqualTo(8);
      int prompt = KeyedGateway.json(next).get("usage").get("prompt_tokens").asInt();
      // The stream settled to its usage (prompt + 7), which is what it reserved.
      assertThat(header(next, "x-ratelimit-remaining-tokens")).isEqualTo(10_000 - (prompt + 7) - (prompt + 1));
    }
  }

  @Test
  void aTenantWithoutLimitsGetsNoRateLimitHeaders() throws Exception {
    try (KeyedGateway gateway = new KeyedGateway(MODELS + "tenants: [{name: acme, keys: [{id: k, sha256: sha(s)}]}]\n")) {
      HttpResponse<String> r = gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    }
  }

  @Test
  void theResponsesApiSharesTheTenantsLimitsAndCountsToolDefinitions() throws Exception {
    try (KeyedGateway gateway =
        new KeyedGateway(MODELS + "tenants: [{name: acme, rpm: 2, tpm: 100000, keys: [{id: k, sha256: sha(s)}]}]\n")) {
      HttpResponse<String> chat = gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s");
      assertThat(chat.statusCode()).isEqualTo(200);
      String tool =
          "{\"type\":\"function\",\"name\":\"lookup\",\"description\":\"Find a record by its key.\","
              + "\"parameters\":{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}}}}";
      HttpResponse<String> response =
          gateway.post(
              "/v1/responses",
              "{\"model\":\"llama-3.1-8b\",\"input\":\"hi\",\"max_output_tokens\":3,\"tools\":[" + tool
                  + "],\"tool_choice\":\"none\"}",
              "authorization", "Bearer s");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(header(response, "x-ratelimit-remaining-requests")).isZero();
      JsonNode usage = KeyedGateway.json(response).get("usage");
      int used = usage.get("total_tokens").asInt();
      // What the response reserved (its prompt, tools and all, and its budget) is what it used.
      assertThat(header(response, "x-ratelimit-remaining-tokens"))
          .isEqualTo(100_000 - usedTokens(chat) - used);
      assertThat(usage.get("input_tokens").asInt())
          .isGreaterThan(KeyedGateway.json(chat).get("usage").get("prompt_tokens").asInt() + 20);

      HttpResponse<String> limited =
          gateway.post("/v1/responses", "{\"model\":\"llama-3.1-8b\",\"input\":\"hi\"}", "authorization", "Bearer s");
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(KeyedGateway.json(limited).get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
    }
  }
}
