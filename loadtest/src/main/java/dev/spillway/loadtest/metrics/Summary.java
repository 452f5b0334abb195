package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers a run is judged by, computed from its records with vLLM {@code benchmark_serving}'s
 * definitions, over the measured requests (warm-up excluded):
 *
 * <ul>
 *   <li>TTFT = first token − intended start; E2E = last token − intended start (so a stalled server or a
 *       late driver shows in the latency: no coordinated omission);
 *   <li>TPOT per request = (E2E − TTFT) / (output tokens − 1), requests with one output token excluded;
 *   <li>ITL = every gap between consecutive token arrivals, pooled over all requests (weighted by
 *       tokens, not requests);
 *   <li>throughputs = totals of completed requests / duration; goodput = requests meeting every SLO /
 *       duration.
 * </ul>
 *
 * <p>Latencies are over completed requests only. {@code durationNanos} is the measured span, usually
 * {@link #measuredDurationNanos(List)}.
 *
 * @param warmupExcluded warm-up requests left out of everything else
 * @param errors failed requests by error kind, sorted by kind
 * @param requestGoodput good requests per second; meaningful only when {@code goals.any()}
 * @param maxOutputTokensPerSecond the most output tokens that arrived in one 1-second bucket
 * @param maxConcurrentRequests the most completed requests in flight at once, between send and end
 * @param pools completed requests by the pool that served them ({@value #UNKNOWN_POOL} when none was
 *     reported), sorted by name
 */
public record Summary(
    double durationSeconds,
    long completed,
    long failed,
    long warmupExcluded,
    Map<String, Long> errors,
    long totalInputTokens,
    long totalOutputTokens,
    double requestThroughput,
    double outputThroughput,
    double totalTokenThroughput,
    SloGoals goals,
    long goodRequests,
    double requestGoodput,
    LatencyStats ttft,
    LatencyStats tpot,
    LatencyStats itl,
    LatencyStats e2el,
    double maxOutputTokensPerSecond,
    long maxConcurrentRequests,
    Costs costs,
    Map<String, PoolShare> pools,
    ScheduleLag scheduleLag) {

  public static final String UNKNOWN_POOL = "unknown";

  /** Schedule lag below this never counts as behind schedule: event-loop timers fire ~1 ms late. */
  public static final long BEHIND_SCHEDULE_FLOOR_NANOS = 10_000_000;
  /** ... nor lag below this share of the mean gap between intended starts. */
  public static final double BEHIND_SCHEDULE_SHARE_OF_GAP = 0.01;

  /**
   * What the measured requests cost the operator and were billed, in USD; per-million figures are per
   * million output tokens of completed requests (0 when there were none).
   */
  public record Costs(
      double totalCostUsd,
      double totalPriceUsd,
      double costPerMillionOutputTokensUsd,
      double pricePerMillionOutputTokensUsd) {}

  /** One pool's part of the completed requests. */
  public record PoolShare(long requests, double share, long outputTokens, double costUsd, double priceUsd) {}

  /**
   * How late the driver sent requests: {@code sent − intended start}, over all measured requests.
   * {@code behindSchedule} when p99 exceeds {@code thresholdMs}: the larger of 10 ms and 1% of the
   * mean gap between intended starts. A driver that is behind has been measuring a lower load than
   * planned, though every latency still counts from the intended start.
   */
  public record ScheduleLag(
      double p50Ms,
      double p99Ms,
      double maxMs,
      double meanInterArrivalMs,
      double thresholdMs,
      boolean behindSchedule) {}

  public Summary {
    requireNonNull(goals, "goals");
    errors = Collections.unmodifiableMap(new TreeMap<>(errors));
    pools = Collections.unmodifiableMap(new TreeMap<>(pools));
  }

  /** The summary of {@code records} over {@code durationNanos}; see {@link SummaryBuilder}. */
  public static Summary of(List<RequestRecord> records, SloGoals goals, long durationNanos) {
    requireNonNull(records, "records");
    SummaryBuilder builder = new SummaryBuilder(goals);
    for (RequestRecord record : records) {
      builder.add(record);
    }
    return builder.build(durationNanos);
  }

  /**
   * The measured span: from the earliest intended start (or send, in a closed loop) of a measured
   * request to the latest end of one; 0 without measured requests.
   */
  public static long measuredDurationNanos(List<RequestRecord> records) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (RequestRecord record : records) {
      if (record.warmup()) {
        continue;
      }
      first = Math.min(first, start(record));
      last = Math.max(last, Math.max(record.endNanos(), start(record)));
    }
    return first == Long.MAX_VALUE ? 0 : Math.max(0, last - first);
  }

  /** Where a record's time starts: its intended start, or its send when it had none. */
  static long start(RequestRecord record) {
    return record.intendedStartNanos() >= 0 ? record.intendedStartNanos() : record.sentNanos();
  }
}
