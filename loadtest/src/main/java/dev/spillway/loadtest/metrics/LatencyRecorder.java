package dev.spillway.loadtest.metrics;

import org.HdrHistogram.Histogram;

/**
 * Collects latencies given in nanoseconds into an HdrHistogram of microseconds (3 significant digits,
 * auto-resizing) plus exact running moments. Not thread-safe.
 */
public final class LatencyRecorder {

  private final Histogram histogram = new Histogram(3);
  private long count;
  private double mean;
  /** Sum of squared deviations from the mean (Welford). */
  private double m2;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  /** Records one latency; negative values count as 0, NaN is ignored. */
  public void record(double nanos) {
    if (Double.isNaN(nanos)) {
      return;
    }
    double value = Math.max(0, nanos);
    count++;
    double delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
    min = Math.min(min, value);
    max = Math.max(max, value);
    histogram.recordValue(Math.round(value / 1_000));
  }

  public long count() {
    return count;
  }

  /**
   * The value at {@code percentile} (0–100) in milliseconds, or 0 when empty. Kept within the exact
   * min and max, which the histogram's bucket edges can overshoot.
   */
  public double percentileMs(double percentile) {
    if (count == 0) {
      return 0;
    }
    double ms = histogram.getValueAtPercentile(percentile) / 1_000.0;
    return Math.max(min / 1e6, Math.min(max / 1e6, ms));
  }

  public LatencyStats stats() {
    if (count == 0) {
      return LatencyStats.EMPTY;
    }
    return new LatencyStats(
        count,
        mean / 1e6,
        Math.sqrt(m2 / count) / 1e6,
        min / 1e6,
        percentileMs(50),
        percentileMs(90),
        percentileMs(99),
        percentileMs(99.9),
        max / 1e6);
  }
}
