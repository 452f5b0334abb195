package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
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

  public static Summary of(List<RequestRecord> records, SloGoals goals, long durationNanos) {
    requireNonNull(records, "records");
    requireNonNull(goals, "goals");
    if (durationNanos < 0) {
      throw new IllegalArgumentException("durationNanos: " + durationNanos + " (expected: >= 0)");
    }
    List<RequestRecord> measured = new ArrayList<>(records.size());
    long warmup = 0;
    for (RequestRecord record : records) {
      if (record.warmup()) {
        warmup++;
      } else {
        measured.add(record);
      }
    }
    double seconds = durationNanos / 1e9;

    long completed = 0;
    long inputTokens = 0;
    long outputTokens = 0;
    long good = 0;
    double cost = 0;
    double price = 0;
    Map<String, Long> errors = new TreeMap<>();
    LatencyRecorder ttft = new LatencyRecorder();
    LatencyRecorder tpot = new LatencyRecorder();
    LatencyRecorder itl = new LatencyRecorder();
    LatencyRecorder e2el = new LatencyRecorder();
    Map<String, long[]> poolCounts = new TreeMap<>(); // requests, output tokens
    Map<String, double[]> poolMoney = new TreeMap<>(); // cost, price
    for (RequestRecord record : measured) {
      cost += record.costUsd();
      price += record.priceUsd();
      if (!record.succeeded()) {
        errors.merge(record.error(), 1L, Long::sum);
        continue;
      }
      completed++;
      inputTokens += record.promptTokens();
      outputTokens += record.outputTokens();
      if (goals.any() && goals.metBy(record)) {
        good++;
      }
      ttft.record(record.ttftNanos());
      if (record.outputTokens() > 1) {
        tpot.record(record.tpotNanos());
      }
      long[] tokens = record.tokenNanos();
      for (int i = 1; i < tokens.length; i++) {
        itl.record(tokens[i] - tokens[i - 1]);
      }
      e2el.record(record.e2eNanos());
      String pool = record.pool().isEmpty() ? UNKNOWN_POOL : record.pool();
      long[] counts = poolCounts.computeIfAbsent(pool, p -> new long[2]);
      counts[0]++;
      counts[1] += record.outputTokens();
      double[] money = poolMoney.computeIfAbsent(pool, p -> new double[2]);
      money[0] += record.costUsd();
      money[1] += record.priceUsd();
    }
    Map<String, PoolShare> pools = new TreeMap<>();
    for (Map.Entry<String, long[]> entry : poolCounts.entrySet()) {
      long[] counts = entry.getValue();
      double[] money = poolMoney.get(entry.getKey());
      pools.put(
          entry.getKey(),
          new PoolShare(counts[0], (double) counts[0] / completed, counts[1], money[0], money[1]));
    }
    Costs costs =
        new Costs(
            cost,
            price,
            outputTokens == 0 ? 0 : cost / outputTokens * 1e6,
            outputTokens == 0 ? 0 : price / outputTokens * 1e6);
    TimeSeries series = TimeSeries.of(measured, TimeSeries.ONE_SECOND);
    double peakTokens = 0;
    for (TimeSeries.Bucket bucket : series.buckets()) {
      peakTokens = Math.max(peakTokens, bucket.outputTokens());
    }
    return new Summary(
        seconds,
        completed,
        measured.size() - completed,
        warmup,
        errors,
        inputTokens,
        outputTokens,
        rate(completed, seconds),
        rate(outputTokens, seconds),
        rate(inputTokens + outputTokens, seconds),
        goals,
        good,
        goals.any() ? rate(good, seconds) : 0,
        ttft.stats(),
        tpot.stats(),
        itl.stats(),
        e2el.stats(),
        peakTokens,
        maxConcurrent(measured),
        costs,
        pools,
        scheduleLag(measured));
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

  private static double rate(double amount, double seconds) {
    return seconds > 0 ? amount / seconds : 0;
  }

  /** vLLM's sweep line over the [send, end) intervals of successful requests. */
  private static long maxConcurrent(List<RequestRecord> measured) {
    List<long[]> events = new ArrayList<>();
    for (RequestRecord record : measured) {
      if (record.succeeded()) {
        events.add(new long[] {record.sentNanos(), 1});
        events.add(new long[] {record.endNanos(), -1});
      }
    }
    events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    long current = 0;
    long peak = 0;
    for (long[] event : events) {
      current += event[1];
      peak = Math.max(peak, current);
    }
    return peak;
  }

  private static ScheduleLag scheduleLag(List<RequestRecord> measured) {
    LatencyRecorder lag = new LatencyRecorder();
    long[] starts = new long[measured.size()];
    int n = 0;
    for (RequestRecord record : measured) {
      if (record.sentNanos() >= 0 && record.intendedStartNanos() >= 0) {
        lag.record(record.sentNanos() - record.intendedStartNanos());
        starts[n++] = record.intendedStartNanos();
      }
    }
    double meanGapMs = 0;
    if (n > 1) {
      Arrays.sort(starts, 0, n);
      meanGapMs = (starts[n - 1] - starts[0]) / 1e6 / (n - 1);
    }
    double thresholdMs =
        Math.max(BEHIND_SCHEDULE_FLOOR_NANOS / 1e6, BEHIND_SCHEDULE_SHARE_OF_GAP * meanGapMs);
    LatencyStats stats = lag.stats();
    return new ScheduleLag(
        stats.medianMs(), stats.p99Ms(), stats.maxMs(), meanGapMs, thresholdMs, stats.p99Ms() > thresholdMs);
  }
}
