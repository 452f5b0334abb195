package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A fault that strikes a request with some probability and lasts some time: a latency spike before
 * the first token, or a stall mid-stream.
 *
 * @param probability of striking each request, from 0 to 1
 * @param duration how long it holds the stream back
 */
public record Chance(double probability, Duration duration) {

  /** Never strikes. */
  public static final Chance NEVER = new Chance(0, Duration.ZERO);

  public Chance {
    requireNonNull(duration, "duration");
    if (!(probability >= 0 && probability <= 1)) {
      throw new IllegalArgumentException("probability: " + probability + " (expected: from 0 to 1)");
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: >= 0)");
    }
  }

  public boolean never() {
    return probability == 0 || duration.isZero();
  }
}
