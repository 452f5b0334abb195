package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.gateway.config.CacheConfig;
import java.util.List;
import java.util.OptionalLong;

/**
 * One model's exact-match cache of complete answers to deterministic requests, keyed by tenant and the
 * canonical request (see {@link Key}).
 *
 * <p>Implementation notes. This is the one piece of a model's state that is not confined to the model's
 * thread: requests look it up on their home threads, before they reach the model's queue, so a hit
 * never crosses to another loop, and a miss's answer is stored from its home thread as it finishes.
 * Caffeine makes that safe without locks on the read path. Its maintenance (expiry, eviction) runs on
 * the calling thread, amortised over reads and writes ({@code executor(Runnable::run)}): no thread pool
 * of its own, and in tests eviction happens when the test says. Time is the model's clock, so the TTL
 * runs on virtual time in simulation and on a fake ticker in tests. Entries are bounded by count;
 * each holds at most its request's output budget of text.
 */
final class ResponseCache {

  private final Cache<Key, CachedAnswer> answers;

  ResponseCache(CacheConfig config, Ticker ticker) {
    requireNonNull(config, "config");
    requireNonNull(ticker, "ticker");
    this.answers =
        Caffeine.newBuilder()
            .maximumSize(config.maxEntries())
            .expireAfterWrite(config.ttl())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  /**
   * What makes two requests the same request: the tenant (tenants never share answers), the canonical
   * request, the output budget and the sampling parameters. The model is the cache's own.
   */
  record Key(
      String tenant,
      String request,
      int maxOutputTokens,
      double temperature,
      double topP,
      OptionalLong seed,
      List<String> stop) {

    Key {
      requireNonNull(tenant, "tenant");
      requireNonNull(request, "request");
      requireNonNull(seed, "seed");
      stop = List.copyOf(stop);
      // -0.0 and 0.0 are one temperature, but not one double to a record's equals.
      temperature += 0.0;
      topP += 0.0;
    }
  }

  /**
   * The key of {@code request}, or null when it must not be cached: an embedding, a request that may
   * be answered differently each time (temperature above 0 without a seed), or one whose front end
   * gave no canonical form.
   */
  static Key keyOf(GatewayRequest request) {
    SamplingParams sampling = request.sampling();
    if (request.embedding()
        || request.canonical().isEmpty()
        || !GatewayRequest.deterministic(sampling)) {
      return null;
    }
    return new Key(
        request.tenant(), request.canonical(), request.maxOutputTokens(), sampling.temperature(),
        sampling.topP(), sampling.seed(), sampling.stop());
  }

  /** The stored answer for {@code key}, or null; from any thread, without blocking. */
  CachedAnswer get(Key key) {
    return answers.getIfPresent(key);
  }

  /** Stores a complete answer, replacing any earlier one for the same key; from any thread. */
  void put(Key key, CachedAnswer answer) {
    answers.put(key, answer);
  }

  /** Answers held now, after expired and excess ones are dropped: for tests. */
  long size() {
    answers.cleanUp();
    return answers.estimatedSize();
  }
}
