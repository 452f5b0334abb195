package dev.spillway.loadtest.workload;

import java.util.random.RandomGenerator;

/** Random variates the workload draws, from a caller's seeded generator. */
final class Sampling {

  private Sampling() {}

  /**
   * A Gamma(shape, 1) variate: Marsaglia and Tsang's squeeze method, with the usual boost
   * {@code Gamma(k) = Gamma(k + 1) · U^(1/k)} for shapes below 1.
   */
  static double gamma(RandomGenerator random, double shape) {
    if (shape < 1) {
      double u = 1.0 - random.nextDouble(); // (0, 1]
      return gamma(random, shape + 1) * Math.pow(u, 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = random.nextGaussian();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = random.nextDouble();
      double x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2) {
        return d * v;
      }
      if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  }

  /** SplitMix64's finalizer over {@code seed} and {@code stream}: independent seeds per stream. */
  static long mix(long seed, long stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
