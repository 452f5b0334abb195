package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.sim.SimulationPool;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Future;

/**
 * Weighs the best fixed fleet against a reserved base plus an autoscaled burst: every base from no
 * replica to one short of the fixed fleet's count in each of its pools (at least one replica in all),
 * each pool scaling up to its fixed count, under the fixed fleet's policy. The cheapest that meets every
 * target wins; the fixed fleet itself is the burst with no room to scale.
 */
final class BurstSearch {

  /** Bases simulated at most; beyond it the fleet is too large to weigh base by base. */
  static final int MAX_BASES = 512;

  private final PlanSpec spec;
  private final TrialRunner runner;
  private final int threads;

  BurstSearch(PlanSpec spec, TrialRunner runner, int threads) {
    this.spec = requireNonNull(spec, "spec");
    this.runner = requireNonNull(runner, "runner");
    this.threads = threads;
  }

  /** Every base tried, cheapest first; empty when the fleet has too many bases to try. */
  List<BurstTrial> run(Composition fixed, String policy) throws InterruptedException {
    List<Composition> bases = new ArrayList<>();
    bases(fixed, new int[fixed.size()], 0, bases);
    if (bases.size() > MAX_BASES) {
      return List.of();
    }
    try (SimulationPool pool = new SimulationPool("plan-burst", threads)) {
      List<Future<BurstTrial>> runs = new ArrayList<>();
      for (Composition base : bases) {
        runs.add(pool.submit(() -> runner.runBurst(base, fixed, policy)));
      }
      List<BurstTrial> trials = new ArrayList<>(SimulationPool.results(runs));
      trials.sort(
          Comparator.comparingDouble((BurstTrial t) -> t.trial().costPerHour())
              .thenComparing(t -> t.base().toString()));
      return trials;
    }
  }

  private static void bases(Composition fixed, int[] counts, int index, List<Composition> out) {
    if (index == counts.length) {
      Composition base = new Composition(counts);
      if (base.pools() > 0 && !base.equals(fixed)) {
        out.add(base);
      }
      return;
    }
    for (int n = 0; n <= fixed.replicas(index) && out.size() <= MAX_BASES; n++) {
      counts[index] = n;
      bases(fixed, counts, index + 1, out);
    }
    counts[index] = 0;
  }
}
