package dev.spillway.loadtest.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  /** Nearest rank over sorted values, the definition HdrHistogram uses. */
  private static double nearestRank(double[] sorted, double percentile) {
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  @Test
  void percentilesMatchSortingWithinTheHistogramsPrecision() {
    SplittableRandom random = new SplittableRandom(5);
    double[] nanos = new double[50_000];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = Math.exp(Math.log(80e6) + 0.8 * random.nextGaussian()); // ~80 ms, long tail
    }
    LatencyStats stats = LatencyStats.ofNanos(nanos);
    double[] sortedMs = Arrays.stream(nanos).map(n -> n / 1e6).sorted().toArray();

    for (double[] pair : new double[][] {
        {50, stats.medianMs()}, {90, stats.p90Ms()}, {99, stats.p99Ms()}, {99.9, stats.p999Ms()}}) {
      double exact = nearestRank(sortedMs, pair[0]);
      // 3 significant digits: a bucket is at most 1/1024 of its value wide; plus the 1 µs of recording
      assertThat(pair[1]).as("p%s", pair[0]).isCloseTo(exact, within(exact * 0.001 + 0.001));
    }
    double mean = Arrays.stream(sortedMs).average().orElseThrow();
    double std = Math.sqrt(Arrays.stream(sortedMs).map(v -> (v - mean) * (v - mean)).sum() / sortedMs.length);
    assertThat(stats.meanMs()).isCloseTo(mean, within(1e-6));
    assertThat(stats.stdMs()).isCloseTo(std, within(1e-6));
    assertThat(stats.minMs()).isEqualTo(sortedMs[0]);
    assertThat(stats.maxMs()).isEqualTo(sortedMs[sortedMs.length - 1]);
    assertThat(stats.count()).isEqualTo(50_000);
  }

  @Test
  void anEmptyDistributionIsAllZeros() {
    assertThat(new LatencyRecorder().stats()).isEqualTo(LatencyStats.EMPTY);
  }
}
