package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.gateway.config.CacheConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The response cache alone: which requests it keys and how, what it stores, how long and how many. */
class ResponseCacheTest {

  private static final SamplingParams GREEDY = new SamplingParams(0, 1, OptionalLong.empty(), List.of());

  /** A fake ticker: the cache's only time source. */
  private long now = 1_000;

  private static GatewayRequest request(
      String tenant, String canonical, int maxTokens, SamplingParams sampling) {
    return new GatewayRequest(
        "id-" + canonical.hashCode(), "m", 10, maxTokens, "prompt", 0, sampling, ServiceTier.DEFAULT,
        tenant, Optional.empty(), false, canonical);
  }

  private static GatewayRequest greedy(String tenant, String canonical) {
    return request(tenant, canonical, 16, GREEDY);
  }

  private static CachedAnswer answer(String... tokens) {
    CachedAnswer.Recorder recorder = new CachedAnswer.Recorder();
    for (int i = 0; i < tokens.length; i++) {
      recorder.token(new TokenEvent.Token(i, tokens[i], 0));
    }
    return recorder.finish(
        "pool", "pool/0",
        new TokenEvent.Finish(FinishReason.LENGTH, new Usage(10, tokens.length), 0.1, 0.2, 0, 0));
  }

  private ResponseCache cache(Duration ttl, int maxEntries) {
    return new ResponseCache(new CacheConfig(ttl, maxEntries), () -> now);
  }

  @Test
  void cachesGreedyAndSeededRequestsOnly() {
    assertThat(ResponseCache.keyOf(greedy("t", "chat:hi"))).isNotNull();
    SamplingParams seeded = new SamplingParams(0.7, 1, OptionalLong.of(42), List.of());
    assertThat(ResponseCache.keyOf(request("t", "chat:hi", 16, seeded))).isNotNull();
    SamplingParams warm = new SamplingParams(0.7, 1, OptionalLong.empty(), List.of());
    assertThat(ResponseCache.keyOf(request("t", "chat:hi", 16, warm))).isNull();
    assertThat(ResponseCache.keyOf(request("t", "chat:hi", 16, SamplingParams.DEFAULT))).isNull();
  }

  @Test
  void neverCachesARequestWithoutACanonicalFormNorAnEmbedding() {
    GatewayRequest noCanonical =
        new GatewayRequest(
            "a", "m", 10, 16, "prompt", 0, GREEDY, ServiceTier.DEFAULT, "t", Optional.empty(), false);
    GatewayRequest embedding =
        new GatewayRequest(
            "a", "m", 10, 1, "prompt", 0, GREEDY, ServiceTier.DEFAULT, "t", Optional.empty(), true,
            "embeddings:prompt");
    assertThat(noCanonical.canonical()).isEmpty();
    assertThat(ResponseCache.keyOf(noCanonical)).isNull();
    assertThat(ResponseCache.keyOf(embedding)).isNull();
  }

  @Test
  void theKeyIsTenantRequestBudgetAndSamplingAndNothingElse() {
    ResponseCache.Key key = ResponseCache.keyOf(greedy("t", "chat:hi"));
    // Not in the key: the request id, the model alias, the prompt text the backend gets, the tier.
    GatewayRequest sameButForTheRest =
        new GatewayRequest(
            "another-id", "alias", 99, 16, "other prompt", 7, GREEDY, ServiceTier.PRIORITY, "t",
            Optional.empty(), false, "chat:hi");
    assertThat(ResponseCache.keyOf(sameButForTheRest)).isEqualTo(key);

    assertThat(ResponseCache.keyOf(greedy("u", "chat:hi"))).isNotEqualTo(key);
    assertThat(ResponseCache.keyOf(greedy("t", "chat:hi "))).isNotEqualTo(key);
    assertThat(ResponseCache.keyOf(request("t", "chat:hi", 17, GREEDY))).isNotEqualTo(key);
    for (SamplingParams other :
        List.of(
            new SamplingParams(0, 0.5, OptionalLong.empty(), List.of()),
            new SamplingParams(0, 1, OptionalLong.of(1), List.of()),
            new SamplingParams(0, 1, OptionalLong.empty(), List.of("\n")))) {
      assertThat(ResponseCache.keyOf(request("t", "chat:hi", 16, other))).isNotEqualTo(key);
    }
  }

  @Test
  void negativeZeroIsTheSameTemperatureAsZero() {
    SamplingParams negativeZero = new SamplingParams(-0.0, 1, OptionalLong.empty(), List.of());
    assertThat(ResponseCache.keyOf(request("t", "chat:hi", 16, negativeZero)))
        .isEqualTo(ResponseCache.keyOf(greedy("t", "chat:hi")));
  }

  @Test
  void storesAndReturnsAnAnswerTokenByToken() {
    ResponseCache cache = cache(Duration.ofMinutes(1), 10);
    ResponseCache.Key key = ResponseCache.keyOf(greedy("t", "chat:hi"));
    assertThat(cache.get(key)).isNull();

    cache.put(key, answer(" Hello", ",", " world"));

    CachedAnswer hit = cache.get(ResponseCache.keyOf(greedy("t", "chat:hi")));
    assertThat(hit.tokens()).isEqualTo(3);
    assertThat(List.of(hit.token(0), hit.token(1), hit.token(2))).containsExactly(" Hello", ",", " world");
    assertThat(hit.usage()).isEqualTo(new Usage(10, 3));
    assertThat(hit.reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(hit.pool()).isEqualTo("pool");
    assertThat(hit.replica()).isEqualTo("pool/0");
    assertThat(cache.get(ResponseCache.keyOf(greedy("u", "chat:hi")))).isNull();
  }

  @Test
  void anAnswerExpiresItsTtlAfterItWasStored() {
    ResponseCache cache = cache(Duration.ofSeconds(10), 10);
    ResponseCache.Key key = ResponseCache.keyOf(greedy("t", "chat:hi"));
    cache.put(key, answer(" a"));

    now += Duration.ofSeconds(10).toNanos() - 1;
    assertThat(cache.get(key)).isNotNull(); // reading does not extend it
    now += 1;
    assertThat(cache.get(key)).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void holdsAtMostMaxEntries() {
    ResponseCache cache = cache(Duration.ofMinutes(1), 3);
    for (int i = 0; i < 10; i++) {
      cache.put(ResponseCache.keyOf(greedy("t", "chat:" + i)), answer(" a"));
    }
    assertThat(cache.size()).isEqualTo(3);
  }

  @Test
  void onlyACompleteAnswerIsKept() {
    CachedAnswer.Recorder recorder = new CachedAnswer.Recorder();
    recorder.token(new TokenEvent.Token(0, " a", 0));
    TokenEvent.Finish cancelled =
        new TokenEvent.Finish(FinishReason.CANCELLED, new Usage(10, 1), 0.1, 0.2, 0, 0);
    assertThat(recorder.finish("pool", "pool/0", cancelled)).isNull();
    TokenEvent.Finish stopped = new TokenEvent.Finish(FinishReason.STOP, new Usage(10, 1), 0.1, 0.2, 0, 0);
    assertThat(recorder.finish("pool", "pool/0", stopped).reason()).isEqualTo(FinishReason.STOP);
  }

  @Test
  void anAnswerOfManyTokensKeepsEveryBoundary() {
    String[] tokens = new String[100];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = i % 2 == 0 ? " w" + i : "";
    }
    CachedAnswer answer = answer(tokens);
    assertThat(answer.tokens()).isEqualTo(100);
    for (int i = 0; i < tokens.length; i++) {
      assertThat(answer.token(i)).isEqualTo(tokens[i]);
    }
  }
}
