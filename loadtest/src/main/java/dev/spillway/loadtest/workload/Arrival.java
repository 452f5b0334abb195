package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How requests arrive. Open-loop processes ({@link Poisson}, {@link Gamma}, {@link Constant},
 * {@link Replay}) fix every request's intended start in advance, whatever the server does; a
 * {@link ClosedLoop} has N clients that each send the next request when their last one ends.
 */
public sealed interface Arrival
    permits Arrival.RateDriven, Arrival.ClosedLoop, Arrival.Replay {

  /** True when intended starts are fixed in advance (no coordinated omission). */
  default boolean openLoop() {
    return !(this instanceof ClosedLoop);
  }

  /** A short description for reports: {@code poisson 50/s}, {@code closed 8}, ... */
  String describe();

  /** The rate-driven processes: gaps drawn independently from one distribution. */
  sealed interface RateDriven extends Arrival permits Poisson, Gamma, Constant {

    double ratePerSecond();

    /** The same process at another rate, for sweeps. */
    RateDriven withRate(double ratePerSecond);

    /** The gap to the next arrival, in seconds. */
    double nextGapSeconds(RandomGenerator random);
  }

  /** Exponential gaps: a Poisson process (vLLM's default, {@code --burstiness 1}). */
  record Poisson(double ratePerSecond) implements RateDriven {
    public Poisson {
      checkRate(ratePerSecond);
    }

    @Override
    public RateDriven withRate(double rate) {
      return new Poisson(rate);
    }

    @Override
    public double nextGapSeconds(RandomGenerator random) {
      return random.nextExponential() / ratePerSecond;
    }

    @Override
    public String describe() {
      return "poisson " + rate(ratePerSecond);
    }
  }

  /**
   * Gamma gaps with shape {@code burstiness} and scale {@code 1 / (rate · burstiness)}, as vLLM's
   * {@code --burstiness}: the mean gap stays {@code 1/rate}, the variance is {@code 1/(rate² · burstiness)}.
   * 1 is Poisson; below 1 burstier; large values approach a constant rate.
   */
  record Gamma(double ratePerSecond, double burstiness) implements RateDriven {
    public Gamma {
      checkRate(ratePerSecond);
      if (!(burstiness > 0) || Double.isInfinite(burstiness)) {
        throw new IllegalArgumentException("burstiness: " + burstiness + " (expected: a finite number > 0)");
      }
    }

    @Override
    public RateDriven withRate(double rate) {
      return new Gamma(rate, burstiness);
    }

    @Override
    public double nextGapSeconds(RandomGenerator random) {
      return Sampling.gamma(random, burstiness) / (ratePerSecond * burstiness);
    }

    @Override
    public String describe() {
      return "gamma " + rate(ratePerSecond) + " burstiness " + burstiness;
    }
  }

  /** Evenly spaced arrivals, {@code 1/rate} apart. */
  record Constant(double ratePerSecond) implements RateDriven {
    public Constant {
      checkRate(ratePerSecond);
    }

    @Override
    public RateDriven withRate(double rate) {
      return new Constant(rate);
    }

    @Override
    public double nextGapSeconds(RandomGenerator random) {
      return 1 / ratePerSecond;
    }

    @Override
    public String describe() {
      return "constant " + rate(ratePerSecond);
    }
  }

  /** N clients, each sending its next request when the last one ends. */
  record ClosedLoop(int concurrency) implements Arrival {
    public ClosedLoop {
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: >= 1)");
      }
    }

    @Override
    public String describe() {
      return "closed loop, concurrency " + concurrency;
    }
  }

  /**
   * A trace replayed at its own timestamps, relative to its first, multiplied by {@code timeScale}
   * (0.5 replays twice as fast).
   */
  record Replay(Trace trace, double timeScale) implements Arrival {
    public Replay {
      requireNonNull(trace, "trace");
      if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
        throw new IllegalArgumentException("timeScale: " + timeScale + " (expected: a finite number > 0)");
      }
    }

    @Override
    public String describe() {
      return "trace " + trace.source() + (timeScale == 1 ? "" : " ×" + timeScale);
    }
  }

  private static void checkRate(double ratePerSecond) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("rate: " + ratePerSecond + " (expected: a finite number > 0)");
    }
  }

  private static String rate(double ratePerSecond) {
    return String.format(Locale.ROOT, "%s/s", Trace.number(ratePerSecond));
  }
}
