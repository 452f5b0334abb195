package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.PredictionErrors;
import java.util.Map;

/**
 * A fleet the plan names, with its verification run: the whole workload simulated again under the
 * chosen policy, from which every figure reported for it is taken.
 *
 * @param label what it is: {@code best}, or the accelerator for a single-accelerator fleet
 * @param verified the verification run
 * @param shares the verification run's requests per pool over time
 * @param predictionErrors per pool, how far the predictions routing decided on were from the outcomes
 *     in the verification run
 */
public record Choice(
    String label,
    Composition composition,
    Trial verified,
    PoolShares shares,
    Map<String, PredictionErrors> predictionErrors) {

  public Choice {
    requireNonNull(label, "label");
    requireNonNull(composition, "composition");
    requireNonNull(verified, "verified");
    requireNonNull(shares, "shares");
    predictionErrors = Map.copyOf(predictionErrors);
  }

  public String policy() {
    return verified.policy();
  }

  public double costPerHour() {
    return verified.costPerHour();
  }
}
