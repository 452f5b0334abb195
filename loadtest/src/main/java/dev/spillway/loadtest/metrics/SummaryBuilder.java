package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;

/**
 * Folds a run's records into its {@link Summary} one at a time, so a run of millions of requests
 * need not keep them: per request it keeps only a few numbers (send and end for the concurrency
 * sweep, the latencies the report's CDFs draw). Every running sum and histogram takes its values in
 * the order the records come, so the summary is the same as {@link Summary#of} over the same list.
 *
 * <p>Not thread-safe: one thread adds, then builds.
 */
public final class SummaryBuilder {

  private final SloGoals goals;
  private long warmup;
  private long measured;
  private long completed;
  private long inputTokens;
  private long outputTokens;
  private long good;
  private double cost;
  private double price;
  private final Map<String, Long> errors = new TreeMap<>();
  private final LatencyRecorder ttft = new LatencyRecorder();
  private final LatencyRecorder tpot = new LatencyRecorder();
  private final LatencyRecorder itl = new LatencyRecorder();
  private final LatencyRecorder e2el = new LatencyRecorder();
  private final Map<String, long[]> poolCounts = new TreeMap<>(); // requests, output tokens
  private final Map<String, double[]> poolMoney = new TreeMap<>(); // cost, price
  private final TimeSeries.Builder series = new TimeSeries.Builder(TimeSeries.ONE_SECOND);
  private final LongColumn sends = new LongColumn();
  private final LongColumn ends = new LongColumn();
  private final LatencyRecorder lag = new LatencyRecorder();
  private long lagged;
  private long earliestIntended = Long.MAX_VALUE;
  private long latestIntended = Long.MIN_VALUE;
  private long first = Long.MAX_VALUE;
  private long last = Long.MIN_VALUE;
  private final DoubleColumn ttftMs = new DoubleColumn(1024);
  private final DoubleColumn tpotMs = new DoubleColumn(1024);
  private final DoubleColumn e2eMs = new DoubleColumn(1024);
  private TimeSeries built;

  public SummaryBuilder(SloGoals goals) {
    this.goals = requireNonNull(goals, "goals");
  }

  /** Folds in one record; warm-up records are only counted. */
  public void add(RequestRecord record) {
    if (built != null) {
      throw new IllegalStateException("add after build");
    }
    if (record.warmup()) {
      warmup++;
      return;
    }
    measured++;
    first = Math.min(first, Summary.start(record));
    last = Math.max(last, Math.max(record.endNanos(), Summary.start(record)));
    series.add(record);
    if (record.sentNanos() >= 0 && record.intendedStartNanos() >= 0) {
      lag.record(record.sentNanos() - record.intendedStartNanos());
      lagged++;
      earliestIntended = Math.min(earliestIntended, record.intendedStartNanos());
      latestIntended = Math.max(latestIntended, record.intendedStartNanos());
    }
    cost += record.costUsd();
    price += record.priceUsd();
    if (!record.succeeded()) {
      errors.merge(record.error(), 1L, Long::sum);
      return;
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
    String pool = record.pool().isEmpty() ? Summary.UNKNOWN_POOL : record.pool();
    long[] counts = poolCounts.computeIfAbsent(pool, p -> new long[2]);
    counts[0]++;
    counts[1] += record.outputTokens();
    double[] money = poolMoney.computeIfAbsent(pool, p -> new double[2]);
    money[0] += record.costUsd();
    money[1] += record.priceUsd();
    sends.add(record.sentNanos());
    ends.add(record.endNanos());
    ttftMs.add(record.ttftNanos() / 1e6);
    double tpotValue = record.outputTokens() > 1 ? record.tpotNanos() / 1e6 : Double.NaN;
    if (Double.isFinite(tpotValue)) {
      tpotMs.add(tpotValue);
    }
    e2eMs.add(record.e2eNanos() / 1e6);
  }

  /** As {@link Summary#measuredDurationNanos}, over the records added so far. */
  public long measuredDurationNanos() {
    return first == Long.MAX_VALUE ? 0 : Math.max(0, last - first);
  }

  /** The measured requests in 1-second buckets. Ends adding. */
  public TimeSeries timeSeries() {
    if (built == null) {
      built = series.build();
    }
    return built;
  }

  /** TTFT, TPOT and E2E in milliseconds of every completed measured request, in the order added. */
  public LatencySamples latencySamples() {
    return new LatencySamples(ttftMs.toArray(), tpotMs.toArray(), e2eMs.toArray());
  }

  /** The summary over {@code durationNanos}, usually {@link #measuredDurationNanos()}. Ends adding. */
  public Summary build(long durationNanos) {
    if (durationNanos < 0) {
      throw new IllegalArgumentException("durationNanos: " + durationNanos + " (expected: >= 0)");
    }
    double seconds = durationNanos / 1e9;
    Map<String, Summary.PoolShare> pools = new TreeMap<>();
    for (Map.Entry<String, long[]> entry : poolCounts.entrySet()) {
      long[] counts = entry.getValue();
      double[] money = poolMoney.get(entry.getKey());
      pools.put(
          entry.getKey(),
          new Summary.PoolShare(counts[0], (double) counts[0] / completed, counts[1], money[0], money[1]));
    }
    Summary.Costs costs =
        new Summary.Costs(
            cost,
            price,
            outputTokens == 0 ? 0 : cost / outputTokens * 1e6,
            outputTokens == 0 ? 0 : price / outputTokens * 1e6);
    double peakTokens = 0;
    for (TimeSeries.Bucket bucket : timeSeries().buckets()) {
      peakTokens = Math.max(peakTokens, bucket.outputTokens());
    }
    return new Summary(
        seconds,
        completed,
        measured - completed,
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
        maxConcurrent(),
        costs,
        pools,
        scheduleLag());
  }

  private static double rate(double amount, double seconds) {
    return seconds > 0 ? amount / seconds : 0;
  }

  /**
   * vLLM's sweep line over the [send, end) intervals of successful requests: at equal times an end
   * comes before a send.
   */
  private long maxConcurrent() {
    long[] sent = sends.sorted();
    long[] ended = ends.sorted();
    long current = 0;
    long peak = 0;
    int j = 0;
    for (long send : sent) {
      while (j < ended.length && ended[j] <= send) {
        current--;
        j++;
      }
      current++;
      peak = Math.max(peak, current);
    }
    return peak;
  }

  private Summary.ScheduleLag scheduleLag() {
    double meanGapMs = lagged > 1 ? (latestIntended - earliestIntended) / 1e6 / (lagged - 1) : 0;
    double thresholdMs =
        Math.max(
            Summary.BEHIND_SCHEDULE_FLOOR_NANOS / 1e6, Summary.BEHIND_SCHEDULE_SHARE_OF_GAP * meanGapMs);
    LatencyStats stats = lag.stats();
    return new Summary.ScheduleLag(
        stats.medianMs(), stats.p99Ms(), stats.maxMs(), meanGapMs, thresholdMs, stats.p99Ms() > thresholdMs);
  }
}
