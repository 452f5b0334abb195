package dev.spillway.loadtest.metrics;

import java.time.Duration;

/**
 * Service-level objectives for goodput, each optional (null): a request is good when it succeeded and
 * meets every objective given. A one-token output has no TPOT and meets a TPOT objective.
 */
public record SloGoals(Duration ttft, Duration tpot, Duration e2e) {

  public static final SloGoals NONE = new SloGoals(null, null, null);

  public SloGoals {
    check(ttft, "ttft");
    check(tpot, "tpot");
    check(e2e, "e2e");
  }

  /** Whether any objective is set; without one there is no goodput. */
  public boolean any() {
    return ttft != null || tpot != null || e2e != null;
  }

  public boolean metBy(RequestRecord record) {
    if (!record.succeeded()) {
      return false;
    }
    if (ttft != null && record.ttftNanos() > ttft.toNanos()) {
      return false;
    }
    if (tpot != null && record.outputTokens() > 1 && record.tpotNanos() > tpot.toNanos()) {
      return false;
    }
    return e2e == null || record.e2eNanos() <= e2e.toNanos();
  }

  private static void check(Duration goal, String name) {
    if (goal != null && (goal.isNegative() || goal.isZero())) {
      throw new IllegalArgumentException(name + ": " + goal + " (expected: > 0)");
    }
  }
}
