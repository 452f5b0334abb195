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
 * @param pricing how the plan buys it
 * @param pricesPerHour one replica's share of its instance's price under every pricing plan, USD per hour
 * @param max the most replicas the planner may buy (availability)
 */
public record Candidate(
    PoolConfig config,
    String accelerator,
    String description,
    PricingPlan pricing,
    Map<PricingPlan, Double> pricesPerHour,
    int max) {

  public Candidate {
    requireNonNull(config, "config");
    requireNonNull(accelerator, "accelerator");
    requireNonNull(description, "description");
    requireNonNull(pricing, "pricing");
    pricesPerHour = Map.copyOf(pricesPerHour);
    for (PricingPlan plan : PricingPlan.values()) {
      Double price = pricesPerHour.get(plan);
      if (price == null || !(price > 0) || Double.isInfinite(price)) {
        throw new IllegalArgumentException(
            "pricesPerHour." + plan.wireName() + ": " + price + " (expected: a price > 0)");
      }
    }
    if (max < 1) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1)");
    }
  }

  /** The pool's name in the simulated gateway and in every report. */
  public String name() {
    return config.name();
  }

  /** One replica's share of its instance's price under the plan's pricing, USD per hour. */
  public double replicaCostPerHour() {
    return pricesPerHour.get(pricing);
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
