package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Which requests at the head of a run are warm-up, sent but left out of the metrics: the first
 * {@code requests}, and every request that starts within the first {@code duration} of the run. Either
 * may be zero. Warm-up is part of the schedule: {@code --requests 1000 --warmup 100} sends 1000 and
 * measures 900.
 */
public record Warmup(long requests, Duration duration) {

  public static final Warmup NONE = new Warmup(0, Duration.ZERO);

  public Warmup {
    requireNonNull(duration, "duration");
    if (requests < 0) {
      throw new IllegalArgumentException("warmup requests: " + requests + " (expected: >= 0)");
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("warmup duration: " + duration + " (expected: >= 0)");
    }
  }

  public static Warmup requests(long requests) {
    return new Warmup(requests, Duration.ZERO);
  }

  public static Warmup duration(Duration duration) {
    return new Warmup(0, duration);
  }

  /**
   * Whether the request at {@code index} starting at {@code startNanos} (from the start of the run) is
   * warm-up. Closed-loop drivers call this with the time they actually sent it.
   */
  public boolean covers(long index, long startNanos) {
    return index < requests || (startNanos >= 0 && startNanos < duration.toNanos());
  }

  public boolean isNone() {
    return requests == 0 && duration.isZero();
  }
}
