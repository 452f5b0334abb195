package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

/**
 * One simulation of a reserved base plus an autoscaled burst.
 *
 * @param base the replicas always there, paid under the burst's base pricing
 * @param trial the run; its composition is the most each pool may scale to, its cost per hour the
 *     mean over the run of base and burst together
 * @param baseCostPerHour the base's share of that
 * @param burstCostPerHour the burst's share: replica-seconds above the base at the burst pricing,
 *     over the run's duration
 * @param burstReplicaHours replica-hours billed above the base
 */
public record BurstTrial(
    Composition base, Trial trial, double baseCostPerHour, double burstCostPerHour, double burstReplicaHours) {

  public BurstTrial {
    requireNonNull(base, "base");
    requireNonNull(trial, "trial");
  }
}
