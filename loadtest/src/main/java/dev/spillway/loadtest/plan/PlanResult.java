package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a plan found.
 *
 * @param best the cheapest fleet that meets every target; null when none within the limits does
 * @param bestSingle the cheapest fleet of one candidate that does; null when none does
 * @param singles per accelerator of the candidates, in candidate order: the cheapest fleet of only
 *     that accelerator that meets the targets, or null where none within its limits does
 * @param accelerators the accelerators {@code singles} are for, in the same order
 * @param evaluations every composition simulated, cheapest first
 * @param skipped mixes not simulated because they lie below one that missed
 * @param monotonicityViolations pairs where a composition met the targets and one above it did not
 * @param burstTrials with a burst alternative, every base tried below the best fleet, cheapest first
 */
public record PlanResult(
    PlanSpec spec,
    Choice best,
    Choice bestSingle,
    List<String> accelerators,
    List<Choice> singles,
    List<Evaluation> evaluations,
    int skipped,
    int monotonicityViolations,
    List<BurstTrial> burstTrials,
    double wallSeconds) {

  public PlanResult {
    requireNonNull(spec, "spec");
    accelerators = List.copyOf(accelerators);
    singles = Collections.unmodifiableList(new ArrayList<>(singles));
    evaluations = List.copyOf(evaluations);
    burstTrials = List.copyOf(burstTrials);
  }

  /** The cheapest reserved base plus burst that meets every target; null when none does or none was tried. */
  public BurstTrial bestBurst() {
    return burstTrials.stream().filter(t -> t.trial().meets()).findFirst().orElse(null);
  }

  /** The best fleet's price per hour with every replica paid under the burst's base pricing. */
  public double bestFixedAtBasePricing() {
    if (best == null || spec.burst() == null) {
      return Double.NaN;
    }
    double cost = 0;
    for (int i = 0; i < spec.candidates().size(); i++) {
      cost += best.composition().replicas(i) * spec.candidates().get(i).pricePerHour(spec.burst().basePricing());
    }
    return cost;
  }

  /** 1 − best/best single cost per hour: what mixing saves; 0 when the best is a single fleet; NaN without both. */
  public double saving() {
    if (best == null || bestSingle == null) {
      return Double.NaN;
    }
    return 1 - best.costPerHour() / bestSingle.costPerHour();
  }

  /** Simulations run in the search (one per composition and policy), verification runs aside. */
  public int simulations() {
    return evaluations.stream().mapToInt(e -> e.trials().size()).sum();
  }
}
