package dev.spillway.loadtest.metrics;

/** Builds records with round numbers for tests; times in milliseconds from the run's start. */
final class Records {

  private Records() {}

  /** A streamed success: tokens evenly spaced from the first to the last. */
  static RequestRecord streamed(long index, double intendedMs, double sentMs, double firstMs, double lastMs, int tokens) {
    long[] times = new long[tokens];
    for (int i = 0; i < tokens; i++) {
      double t = tokens == 1 ? firstMs : firstMs + (lastMs - firstMs) * i / (tokens - 1);
      times[i] = ms(t);
    }
    return new RequestRecord(
        index, "m", "anonymous", "default", 100, tokens, ms(intendedMs), ms(sentMs), times[0], times[tokens - 1],
        times, tokens, null, "", 0, 0, false);
  }

  static RequestRecord failed(long index, double intendedMs, double endMs, String error) {
    return new RequestRecord(
        index, "m", "anonymous", "default", 100, 10, ms(intendedMs), ms(intendedMs), -1, ms(endMs),
        new long[0], 0, error, "", 0, 0, false);
  }

  static RequestRecord withPool(RequestRecord r, String pool, double cost, double price) {
    return new RequestRecord(
        r.index(), r.model(), r.tenant(), r.tier(), r.promptTokens(), r.requestedOutputTokens(),
        r.intendedStartNanos(), r.sentNanos(), r.firstTokenNanos(), r.endNanos(), r.tokenNanos(), r.outputTokens(),
        r.error(), pool, cost, price, r.warmup());
  }

  static RequestRecord asWarmup(RequestRecord r) {
    return new RequestRecord(
        r.index(), r.model(), r.tenant(), r.tier(), r.promptTokens(), r.requestedOutputTokens(),
        r.intendedStartNanos(), r.sentNanos(), r.firstTokenNanos(), r.endNanos(), r.tokenNanos(), r.outputTokens(),
        r.error(), r.pool(), r.costUsd(), r.priceUsd(), true);
  }

  static long ms(double millis) {
    return Math.round(millis * 1e6);
  }
}
