package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.PredictionErrors;
import dev.spillway.loadtest.metrics.RequestRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Plans a fleet: runs the {@link FleetSearch}, then verifies each fleet it names (the best, and the
 * cheapest of each accelerator alone) with a run of the whole workload that also records which pool
 * served each request over time; with a burst alternative, weighs the best against a reserved base
 * plus an autoscaled burst ({@link BurstSearch}).
 */
public final class Planner {

  /** Intervals of the share-per-pool plot over the workload's arrivals. */
  static final int SHARE_INTERVALS = 60;

  private final PlanSpec spec;

  public Planner(PlanSpec spec) {
    this.spec = requireNonNull(spec, "spec");
  }

  /**
   * Plans on {@code threads} threads; {@code progress} hears of each composition as it is simulated,
   * one call at a time. The result does not depend on {@code threads}.
   */
  public PlanResult plan(int threads, Consumer<Evaluation> progress) throws InterruptedException {
    long start = System.nanoTime();
    TrialRunner runner = new TrialRunner(spec);
    FleetSearch.Outcome outcome = new FleetSearch(spec, runner, threads, progress).run();
    List<String> accelerators = new ArrayList<>();
    for (Candidate candidate : spec.candidates()) {
      if (!accelerators.contains(candidate.accelerator())) {
        accelerators.add(candidate.accelerator());
      }
    }
    List<Choice> singles = new ArrayList<>();
    Choice bestSingle = null;
    for (String accelerator : accelerators) {
      Composition cheapest = null;
      for (int i = 0; i < spec.candidates().size(); i++) {
        Composition single = outcome.singles().get(i);
        if (single != null
            && spec.candidates().get(i).accelerator().equals(accelerator)
            && (cheapest == null || cost(single) < cost(cheapest))) {
          cheapest = single;
        }
      }
      Choice choice = cheapest == null ? null : verify(accelerator, cheapest, outcome, runner);
      singles.add(choice);
      if (choice != null && (bestSingle == null || choice.costPerHour() < bestSingle.costPerHour())) {
        bestSingle = choice;
      }
    }
    Choice best = null;
    if (outcome.best() != null) {
      best =
          bestSingle != null && outcome.best().equals(bestSingle.composition())
              ? new Choice(
                  "best", bestSingle.composition(), bestSingle.verified(), bestSingle.shares(),
                  bestSingle.predictionErrors())
              : verify("best", outcome.best(), outcome, runner);
    }
    List<BurstTrial> bursts =
        spec.burst() == null || best == null
            ? List.of()
            : new BurstSearch(spec, runner, threads).run(best.composition(), best.policy());
    return new PlanResult(
        spec, best, bestSingle, accelerators, singles, outcome.evaluations(), outcome.skipped(),
        outcome.monotonicityViolations(), bursts, (System.nanoTime() - start) / 1e9);
  }

  private double cost(Composition composition) {
    return composition.costPerHour(spec.candidates());
  }

  private Choice verify(String label, Composition composition, FleetSearch.Outcome outcome, TrialRunner runner) {
    Evaluation searched =
        outcome.evaluations().stream().filter(e -> e.composition().equals(composition)).findFirst().orElseThrow();
    Trial chosen = searched.best();
    long span = Math.max(1, Math.round(chosen.durationSeconds() * 1e9 / SHARE_INTERVALS));
    PoolShares shares = new PoolShares(span);
    List<RequestRecord> records = new ArrayList<>();
    Trial verified = runner.run(composition, chosen.policy(), shares.andThen(records::add));
    return new Choice(label, composition, verified, shares, PredictionErrors.byPool(records));
  }
}
