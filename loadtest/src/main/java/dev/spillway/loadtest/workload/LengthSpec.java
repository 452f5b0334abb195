package dev.spillway.loadtest.workload;

import java.util.random.RandomGenerator;

/**
 * A distribution of token counts: {@code 512}, {@code uniform:128:1024}, {@code normal:512:64},
 * {@code lognormal:512:0.5} (mean and sigma of the underlying normal) or {@code trace} (the counts a
 * replayed trace holds). Samples are whole tokens, at least 1.
 */
public sealed interface LengthSpec
    permits LengthSpec.Fixed, LengthSpec.Uniform, LengthSpec.Normal, LengthSpec.LogNormal,
        LengthSpec.FromTrace {

  String EXPECTED =
      "expected: N, uniform:MIN:MAX, normal:MEAN:STD, lognormal:MEAN:SIGMA or trace; counts >= 1";

  /** A token count, at least 1. */
  int sample(RandomGenerator random);

  /** The spec as it is written on the command line. */
  String text();

  record Fixed(int tokens) implements LengthSpec {
    public Fixed {
      if (tokens < 1) {
        throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 1)");
      }
    }

    @Override
    public int sample(RandomGenerator random) {
      return tokens;
    }

    @Override
    public String text() {
      return Integer.toString(tokens);
    }
  }

  /** Uniform over {@code [min, max]}, both included. */
  record Uniform(int min, int max) implements LengthSpec {
    public Uniform {
      if (min < 1 || max < min) {
        throw new IllegalArgumentException("uniform: " + min + ":" + max + " (expected: 1 <= min <= max)");
      }
    }

    @Override
    public int sample(RandomGenerator random) {
      return min + random.nextInt(max - min + 1);
    }

    @Override
    public String text() {
      return "uniform:" + min + ":" + max;
    }
  }

  /** Normal, rounded and clamped to at least 1. */
  record Normal(double mean, double std) implements LengthSpec {
    public Normal {
      if (!(mean >= 1) || !(std >= 0) || Double.isInfinite(mean) || Double.isInfinite(std)) {
        throw new IllegalArgumentException("normal: " + mean + ":" + std + " (expected: mean >= 1, std >= 0)");
      }
    }

    @Override
    public int sample(RandomGenerator random) {
      return clamp(mean + std * random.nextGaussian());
    }

    @Override
    public String text() {
      return "normal:" + Trace.number(mean) + ":" + Trace.number(std);
    }
  }

  /**
   * Log-normal with the given mean: {@code exp(mu + sigma·Z)} with {@code mu = ln(mean) − sigma²/2},
   * rounded and clamped to at least 1. Request and response lengths of production traces are roughly
   * this shape.
   */
  record LogNormal(double mean, double sigma) implements LengthSpec {
    public LogNormal {
      if (!(mean >= 1) || !(sigma >= 0) || Double.isInfinite(mean) || Double.isInfinite(sigma)) {
        throw new IllegalArgumentException(
            "lognormal: " + mean + ":" + sigma + " (expected: mean >= 1, sigma >= 0)");
      }
    }

    @Override
    public int sample(RandomGenerator random) {
      double mu = Math.log(mean) - sigma * sigma / 2;
      return clamp(Math.exp(mu + sigma * random.nextGaussian()));
    }

    @Override
    public String text() {
      return "lognormal:" + Trace.number(mean) + ":" + Trace.number(sigma);
    }
  }

  /** The replayed trace's own counts; valid only with {@link Arrival.Replay}. */
  record FromTrace() implements LengthSpec {
    @Override
    public int sample(RandomGenerator random) {
      throw new IllegalStateException("lengths come from the trace; sample() has no distribution");
    }

    @Override
    public String text() {
      return "trace";
    }
  }

  LengthSpec TRACE = new FromTrace();

  /** Parses a spec; errors name {@code what} (for example {@code --input-len}). */
  static LengthSpec parse(String text, String what) {
    String[] parts = text.trim().split(":", -1);
    try {
      switch (parts[0]) {
        case "trace":
          if (parts.length == 1) {
            return TRACE;
          }
          break;
        case "uniform":
          if (parts.length == 3) {
            return new Uniform(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
          }
          break;
        case "normal":
          if (parts.length == 3) {
            return new Normal(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
          }
          break;
        case "lognormal":
          if (parts.length == 3) {
            return new LogNormal(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]));
          }
          break;
        default:
          if (parts.length == 1) {
            return new Fixed(Integer.parseInt(parts[0]));
          }
      }
    } catch (IllegalArgumentException e) { // NumberFormatException too
      // fall through to the one message
    }
    throw new IllegalArgumentException(what + ": " + text + " (" + EXPECTED + ")");
  }

  private static int clamp(double value) {
    if (!(value >= 1)) {
      return 1;
    }
    return value >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.round(value);
  }
}
