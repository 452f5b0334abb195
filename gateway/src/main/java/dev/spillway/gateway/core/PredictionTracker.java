package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.core.Gateway.PredictionError;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far the predictions routing decides on (a replica's {@code predict} at binding) were from what
 * then happened, per pool: the relative error {@code (predicted − actual) / actual} of TTFT and TPOT of
 * the last {@value #WINDOW} finished requests of each pool, and how many finished in all.
 *
 * <p>Implementation notes. One ring of relative errors per pool and metric, so memory is bounded
 * whatever the traffic; statistics sort a copy of the ring, which only {@code /admin/pools} asks for.
 * TTFT is measured from binding (the instant the prediction was made for) to the first token; TPOT as
 * (finish − first token) / (tokens − 1), so a response of one token gives a TTFT sample only.
 * Single-threaded: written and read on the model's clock only.
 */
final class PredictionTracker {

  /** Finished requests per pool the statistics cover: the most recent ones. */
  static final int WINDOW = 1024;

  private final Map<String, PoolErrors> pools = new LinkedHashMap<>();

  PredictionTracker(List<String> poolNames) {
    for (String pool : poolNames) {
      pools.put(pool, new PoolErrors());
    }
  }

  /**
   * One finished request of {@code pool}. Durations in nanoseconds; {@code actualTpotNanos} NaN when
   * the response had fewer than two tokens. Samples with no prediction (NaN) or a non-positive actual
   * are left out.
   */
  void record(
      String pool, double predictedTtftNanos, double actualTtftNanos, double predictedTpotNanos,
      double actualTpotNanos) {
    PoolErrors errors = pools.get(requireNonNull(pool, "pool"));
    if (errors == null) {
      throw new IllegalArgumentException("pool: " + pool + " (expected: one of " + pools.keySet() + ")");
    }
    errors.samples++;
    errors.ttft.add(relative(predictedTtftNanos, actualTtftNanos));
    errors.tpot.add(relative(predictedTpotNanos, actualTpotNanos));
  }

  /** The statistics of {@code pool} now. */
  PredictionError errors(String pool) {
    PoolErrors errors = pools.get(requireNonNull(pool, "pool"));
    if (errors == null) {
      throw new IllegalArgumentException("pool: " + pool + " (expected: one of " + pools.keySet() + ")");
    }
    return new PredictionError(
        errors.samples, WINDOW, errors.ttft.size(), errors.ttft.medianAbsolute(), errors.ttft.median(),
        errors.tpot.size(), errors.tpot.medianAbsolute(), errors.tpot.median());
  }

  /** {@code (predicted − actual) / actual}, or NaN when either is unknown or the actual is not positive. */
  static double relative(double predicted, double actual) {
    if (!(actual > 0) || Double.isNaN(predicted) || Double.isInfinite(actual)) {
      return Double.NaN;
    }
    return (predicted - actual) / actual;
  }

  private static final class PoolErrors {
    long samples;
    final Ring ttft = new Ring();
    final Ring tpot = new Ring();
  }

  /** The last {@value #WINDOW} finite values added. */
  static final class Ring {
    private final double[] values = new double[WINDOW];
    private int size;
    private int next;

    void add(double value) {
      if (!Double.isFinite(value)) {
        return;
      }
      values[next] = value;
      next = (next + 1) % WINDOW;
      size = Math.min(size + 1, WINDOW);
    }

    int size() {
      return size;
    }

    /** The median of the values; null when there are none. */
    Double median() {
      return size == 0 ? null : medianOf(Arrays.copyOf(values, size));
    }

    /** The median of the values' magnitudes; null when there are none. */
    Double medianAbsolute() {
      if (size == 0) {
        return null;
      }
      double[] abs = new double[size];
      for (int i = 0; i < size; i++) {
        abs[i] = Math.abs(values[i]);
      }
      return medianOf(abs);
    }

    private static double medianOf(double[] xs) {
      Arrays.sort(xs);
      int n = xs.length;
      return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    }
  }
}
