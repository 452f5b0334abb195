package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.sim.Simulator;
import dev.spillway.loadtest.workload.Workload;
import java.util.function.Consumer;

/**
 * Runs a composition under a policy over the whole workload in virtual time, through the gateway's own
 * flow controller, router and the emulated engines ({@link Simulator}). Stateless; safe to call from
 * several threads at once.
 */
final class TrialRunner {

  private final PlanSpec spec;
  private final Workload workload;

  TrialRunner(PlanSpec spec) {
    this.spec = requireNonNull(spec, "spec");
    this.workload = Workload.of(spec.workload());
  }

  Trial run(Composition composition, String policy) {
    return run(composition, policy, record -> {});
  }

  /**
   * Runs the plan's burst alternative: pools that scale from {@code base} up to {@code most} under
   * {@code policy}. Its price per hour is the run's bill over its duration: the base replicas at the
   * burst's base pricing, every replica-second above them at its burst pricing.
   */
  BurstTrial runBurst(Composition base, Composition most, String policy) {
    Burst burst = requireNonNull(spec.burst(), "burst");
    Tally tally = new Tally(spec.slo());
    Simulator simulator = new Simulator(spec.config(base, most, policy), spec.profiles());
    Simulator.Totals totals = simulator.runOpenLoop(workload.iterator(), tally);
    double seconds = totals.durationNanos() / 1e9;
    double baseCost = 0;
    double burstCost = 0;
    double burstReplicaSeconds = 0;
    for (int i = 0; i < spec.candidates().size(); i++) {
      if (most.replicas(i) == 0) {
        continue;
      }
      Candidate candidate = spec.candidates().get(i);
      double billed = totals.pool(candidate.name()).replicaSeconds();
      double above = Math.max(0, billed - base.replicas(i) * seconds);
      baseCost += base.replicas(i) * seconds * candidate.pricePerHour(burst.basePricing()) / 3600;
      burstCost += above * candidate.pricePerHour(burst.burstPricing()) / 3600;
      burstReplicaSeconds += above;
    }
    double hours = Math.max(seconds, 1e-9) / 3600;
    Trial trial = tally.trial(most, policy, (baseCost + burstCost) / hours, totals.durationNanos());
    return new BurstTrial(base, trial, baseCost / hours, burstCost / hours, burstReplicaSeconds / 3600);
  }

  /** Runs it, each request's record also handed to {@code also} as the request ends. */
  Trial run(Composition composition, String policy, Consumer<RequestRecord> also) {
    if (composition.pools() == 0) {
      throw new IllegalArgumentException("composition: " + composition + " (expected: at least one replica)");
    }
    Tally tally = new Tally(spec.slo());
    Simulator simulator = new Simulator(spec.config(composition, policy), spec.profiles());
    Simulator.Totals totals = simulator.runOpenLoop(workload.iterator(), tally.andThen(also));
    return tally.trial(composition, policy, composition.costPerHour(spec.candidates()), totals.durationNanos());
  }
}
