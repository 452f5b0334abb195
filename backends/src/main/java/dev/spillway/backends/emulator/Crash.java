package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A replica crash: {@code after} the faults are applied, the replica fails every request it holds and
 * refuses new ones; {@code recoverAfter} later it serves again, from a cold start.
 */
public record Crash(Duration after, Duration recoverAfter) {

  public Crash {
    requireNonNull(after, "after");
    requireNonNull(recoverAfter, "recoverAfter");
    if (after.isNegative()) {
      throw new IllegalArgumentException("after: " + after + " (expected: >= 0)");
    }
    if (recoverAfter.isNegative()) {
      throw new IllegalArgumentException("recoverAfter: " + recoverAfter + " (expected: >= 0)");
    }
  }
}
