package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

/**
 * A fleet the plan names, with its verification run: the whole workload simulated again under the
 * chosen policy, from which every figure reported for it is taken.
 *
 * @param label what it is: {@code best}, or the accelerator for a single-accelerator fleet
 * @param verified the verification run
 * @param shares the verification run's requests per pool over time
 */
public record Choice(String label, Composition composition, Trial verified, PoolShares shares) {

  public Choice {
    requireNonNull(label, "label");
    requireNonNull(composition, "composition");
    requireNonNull(verified, "verified");
    requireNonNull(shares, "shares");
  }

  public String policy() {
    return verified.policy();
  }

  public double costPerHour() {
    return verified.costPerHour();
  }
}
