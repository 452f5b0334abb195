package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.PricingPlan;
import dev.spillway.gateway.config.AutoscaleConfig;
import dev.spillway.gateway.config.PoolConfig;
import java.util.Map;
import java.util.Optional;

/**
 * A pool shape the planner may buy: one emulated deployment (accelerator, tensor parallelism, dtype,
 * stack), its price per replica under the plan's pricing, and how many replicas are available.
 *
 * @param config the pool as the gateway would run it, with one replica
 * @param description the deployment as the emulator describes it: {@code p5.48xlarge tp=2 (2 of 8 chips) fp8 trtllm}
 * @param replicaCostPerHour one replica's share of its instance's price under the plan's pricing, USD per hour
 * @param pricesPerHour the same share under every pricing plan
 * @param max the most replicas the planner may buy (availability)
 */
public record Candidate(
    PoolConfig config,
    String accelerator,
    String description,
    double replicaCostPerHour,
    Map<PricingPlan, Double> pricesPerHour,
    int max) {

  public Candidate {
    requireNonNull(config, "config");
    requireNonNull(accelerator, "accelerator");
    requireNonNull(description, "description");
    if (!(replicaCostPerHour > 0) || Double.isInfinite(replicaCostPerHour)) {
      throw new IllegalArgumentException(
          "replicaCostPerHour: " + replicaCostPerHour + " (expected: a price > 0)");
    }
    pricesPerHour = Map.copyOf(pricesPerHour);
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
  }

  /** The pool's name in the simulated gateway and in every report. */
  public String name() {
    return config.name();
  }

  /** One replica's share of its instance's price under {@code plan}, USD per hour. */
  public double pricePerHour(PricingPlan plan) {
    return pricesPerHour.get(plan);
  }

  /** This pool with {@code replicas} replicas. */
  PoolConfig withReplicas(int replicas) {
    return new PoolConfig(config.name(), config.kind(), replicas, config.maxBatchDelay(), config.settings());
  }

  /** This pool scaling by {@code autoscale}, starting at its minimum. */
  PoolConfig autoscaled(AutoscaleConfig autoscale) {
    return new PoolConfig(
        config.name(), config.kind(), autoscale.min(), config.maxBatchDelay(), config.settings(),
        Optional.of(autoscale));
  }
}
