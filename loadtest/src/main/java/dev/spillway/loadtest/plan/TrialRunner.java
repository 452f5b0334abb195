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
