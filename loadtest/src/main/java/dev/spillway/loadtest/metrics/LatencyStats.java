package dev.spillway.loadtest.metrics;

/**
 * A latency distribution in milliseconds. Mean, standard deviation (population, as numpy's
 * {@code std}), min and max are exact; percentiles come from an HdrHistogram of microseconds with 3
 * significant digits (nearest rank, reported as the highest value equivalent to it — within 0.1%). An
 * empty distribution is all zeros with count 0, as vLLM reports it.
 */
public record LatencyStats(
    long count,
    double meanMs,
    double stdMs,
    double minMs,
    double medianMs,
    double p90Ms,
    double p99Ms,
    double p999Ms,
    double maxMs) {

  public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** The statistics of {@code nanos}, a convenience for callers holding the values. */
  public static LatencyStats ofNanos(double... nanos) {
    LatencyRecorder recorder = new LatencyRecorder();
    for (double value : nanos) {
      recorder.record(value);
    }
    return recorder.stats();
  }
}
