package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.SloGoals;

/**
 * What one service tier asks of a fleet: latency goals per request, and the share of the tier's
 * requests that must meet them. A request that fails (rejected, timed out) does not meet them.
 *
 * @param attainment 0 to 1
 */
public record TierGoal(SloGoals goals, double attainment) {

  public TierGoal {
    requireNonNull(goals, "goals");
    if (!goals.any()) {
      throw new IllegalArgumentException("goals: none (expected: at least one of ttft, tpot, e2e)");
    }
    if (!(attainment > 0 && attainment <= 1)) {
      throw new IllegalArgumentException("attainment: " + attainment + " (expected: > 0 and <= 1)");
    }
  }
}
