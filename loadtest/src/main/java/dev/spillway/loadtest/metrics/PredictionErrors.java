package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the gateway's predictions were from what happened, over a set of requests: the relative
 * error {@code (predicted − actual) / actual} of TTFT (from binding, the instant the prediction was
 * made for) and of TPOT, as its median magnitude and its median sign. 0.1 is 10%; a positive bias
 * means the replicas predicted slower than they were.
 *
 * <p>Only measured requests count: not warm-up, completed, and carrying a prediction
 * ({@link RequestRecord#hasPrediction()}; simulated runs do, HTTP runs do not). A request of one
 * output token gives a TTFT sample only. Medians are NaN without samples.
 *
 * @param ttftSamples requests the TTFT medians are over
 * @param ttftMedianAbsError median |relative error| of TTFT
 * @param ttftMedianBias median signed relative error of TTFT
 * @param tpotSamples requests the TPOT medians are over
 * @param tpotMedianAbsError median |relative error| of TPOT
 * @param tpotMedianBias median signed relative error of TPOT
 */
public record PredictionErrors(
    long ttftSamples,
    double ttftMedianAbsError,
    double ttftMedianBias,
    long tpotSamples,
    double tpotMedianAbsError,
    double tpotMedianBias) {

  /** No samples. */
  public static final PredictionErrors NONE =
      new PredictionErrors(0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN);

  /** Over every measured request of {@code records} with a prediction, whatever its pool. */
  public static PredictionErrors of(Iterable<RequestRecord> records) {
    Samples samples = new Samples();
    for (RequestRecord r : requireNonNull(records, "records")) {
      if (counts(r)) {
        samples.add(r);
      }
    }
    return samples.errors();
  }

  /** The same, per pool ({@link RequestRecord#pool()}), pools in name order. */
  public static Map<String, PredictionErrors> byPool(Iterable<RequestRecord> records) {
    Map<String, Samples> pools = new TreeMap<>();
    for (RequestRecord r : requireNonNull(records, "records")) {
      if (counts(r)) {
        pools.computeIfAbsent(r.pool(), p -> new Samples()).add(r);
      }
    }
    Map<String, PredictionErrors> out = new TreeMap<>();
    pools.forEach((pool, samples) -> out.put(pool, samples.errors()));
    return out;
  }

  /** Relative TTFT error of one request: predicted against actual, both from binding; NaN if unknown. */
  public static double ttftError(RequestRecord r) {
    return relative(r.predictedTtftNanos(), r.ttftFromBindingNanos());
  }

  /** Relative TPOT error of one request; NaN if unknown or fewer than two output tokens. */
  public static double tpotError(RequestRecord r) {
    return relative(r.predictedTpotNanos(), r.tpotNanos());
  }

  private static boolean counts(RequestRecord r) {
    return !r.warmup() && r.succeeded() && r.hasPrediction();
  }

  private static double relative(double predicted, double actual) {
    return actual > 0 && Double.isFinite(actual) && Double.isFinite(predicted)
        ? (predicted - actual) / actual
        : Double.NaN;
  }

  /** Relative errors of one group of requests, grown as needed. */
  private static final class Samples {
    private double[] ttft = new double[64];
    private double[] tpot = new double[64];
    private int ttftCount;
    private int tpotCount;

    void add(RequestRecord r) {
      double t = ttftError(r);
      if (!Double.isNaN(t)) {
        if (ttftCount == ttft.length) {
          ttft = Arrays.copyOf(ttft, ttftCount * 2);
        }
        ttft[ttftCount++] = t;
      }
      double p = tpotError(r);
      if (!Double.isNaN(p)) {
        if (tpotCount == tpot.length) {
          tpot = Arrays.copyOf(tpot, tpotCount * 2);
        }
        tpot[tpotCount++] = p;
      }
    }

    PredictionErrors errors() {
      return new PredictionErrors(
          ttftCount, medianAbs(ttft, ttftCount), median(ttft, ttftCount),
          tpotCount, medianAbs(tpot, tpotCount), median(tpot, tpotCount));
    }

    private static double median(double[] xs, int n) {
      if (n == 0) {
        return Double.NaN;
      }
      double[] sorted = Arrays.copyOf(xs, n);
      Arrays.sort(sorted);
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double medianAbs(double[] xs, int n) {
      double[] abs = new double[n];
      for (int i = 0; i < n; i++) {
        abs[i] = Math.abs(xs[i]);
      }
      return median(abs, n);
    }
  }
}
