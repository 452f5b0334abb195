package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A composition simulated under every policy of the plan: a trial per policy, in the plan's order. */
public record Evaluation(Composition composition, List<Trial> trials) {

  public Evaluation {
    requireNonNull(composition, "composition");
    trials = List.copyOf(trials);
    if (trials.isEmpty()) {
      throw new IllegalArgumentException("trials: none (expected: one per policy)");
    }
  }

  /** Whether some policy makes this fleet meet every tier's target. */
  public boolean meets() {
    return trials.stream().anyMatch(Trial::meets);
  }

  /** The policy's trial that leaves the most margin: of those that meet, if any; ties by plan order. */
  public Trial best() {
    Trial best = null;
    for (Trial trial : trials) {
      if (best == null
          || (trial.meets() && !best.meets())
          || (trial.meets() == best.meets() && trial.margin() > best.margin())) {
        best = trial;
      }
    }
    return best;
  }

  public double costPerHour() {
    return trials.get(0).costPerHour();
  }
}
