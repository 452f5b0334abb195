package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.PricingPlan;
import dev.spillway.gateway.config.AutoscaleConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * The alternative a plan may weigh against its fixed fleet: a base of replicas paid under
 * {@code basePricing} (a reservation), and pools that scale above it, up to the fixed fleet's counts,
 * paid under {@code burstPricing} by the replica-second, on the gateway's own autoscaler.
 */
public record Burst(
    PricingPlan basePricing,
    PricingPlan burstPricing,
    AutoscaleConfig.Metric metric,
    double target,
    Duration interval,
    Duration scaleDownAfter) {

  public Burst {
    requireNonNull(basePricing, "basePricing");
    requireNonNull(burstPricing, "burstPricing");
    requireNonNull(metric, "metric");
    requireNonNull(interval, "interval");
    requireNonNull(scaleDownAfter, "scaleDownAfter");
    // the gateway's own checks, once
    new AutoscaleConfig(0, 1, metric, target, interval, scaleDownAfter, Optional.empty());
  }

  /** A pool's autoscaling between {@code min} and {@code max}, with the accelerator's provisioning delay. */
  AutoscaleConfig autoscale(int min, int max) {
    return new AutoscaleConfig(min, max, metric, target, interval, scaleDownAfter, Optional.empty());
  }
}
