package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A cold replica: the first {@code requests} requests after it (re)starts wait {@code delay} longer
 * for their first token, as while caches warm and graphs compile.
 */
public record SlowStart(int requests, Duration delay) {

  public static final SlowStart NONE = new SlowStart(0, Duration.ZERO);

  public SlowStart {
    requireNonNull(delay, "delay");
    if (requests < 0) {
      throw new IllegalArgumentException("requests: " + requests + " (expected: >= 0)");
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
    }
  }

  public boolean none() {
    return requests == 0 || delay.isZero();
  }
}
