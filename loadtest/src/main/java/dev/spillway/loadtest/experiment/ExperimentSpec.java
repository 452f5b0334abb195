package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.util.List;

/**
 * An experiment, validated: a rate-driven workload of one model run at every rate under every routing
 * policy over one fleet, and optionally an equal-cost single-accelerator baseline. Made by
 * {@link ExperimentFile}.
 *
 * @param name what the reports call it
 * @param source where it was read from, for the reports
 * @param workload the workload at the first rate; every run uses {@code workload.withRate(rate)}
 * @param goals the SLO goals that goodput and attainment are measured against; at least one is set
 * @param rates requests per second, ascending and distinct
 * @param policies routing policy names, in the order the reports list them
 * @param routeToGoals whether {@code goals} also become the model's routing objective in every tier
 *     (what {@code cheapest-within-slo} aims at); otherwise the fleet's own per-tier objectives apply
 * @param baseline null when the experiment has none
 */
public record ExperimentSpec(
    String name,
    String source,
    WorkloadOptions workload,
    SloGoals goals,
    List<Double> rates,
    List<String> policies,
    Fleet fleet,
    Profiles profiles,
    boolean routeToGoals,
    Baseline baseline) {

  /**
   * The equal-cost single-accelerator baseline: for each accelerator of the fleet, a fleet of only that
   * accelerator with as many replicas as the mixed fleet's $/hour buys, routed by {@code policy}.
   */
  public record Baseline(String kind, String policy) {

    public static final String EQUAL_COST_SINGLE_ACCELERATOR = "equal-cost-single-accelerator";

    public Baseline {
      requireNonNull(kind, "kind");
      requireNonNull(policy, "policy");
    }
  }

  public ExperimentSpec {
    requireNonNull(name, "name");
    requireNonNull(source, "source");
    requireNonNull(workload, "workload");
    requireNonNull(goals, "goals");
    requireNonNull(fleet, "fleet");
    requireNonNull(profiles, "profiles");
    rates = List.copyOf(rates);
    policies = List.copyOf(policies);
    if (!(workload.arrival() instanceof Arrival.RateDriven)) {
      throw new IllegalArgumentException("workload.arrival: " + workload.arrival().describe() + " (expected: rate-driven)");
    }
    if (!goals.any()) {
      throw new IllegalArgumentException("workload.slo: none (expected: at least one of ttft, tpot, e2e)");
    }
    if (rates.isEmpty()) {
      throw new IllegalArgumentException("rates: [] (expected: at least one rate)");
    }
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("policies: [] (expected: at least one routing policy)");
    }
  }

  public String model() {
    return fleet.model();
  }

  /** The routing objective given to the fleet: the goals, or null to keep the fleet's own. */
  public SloGoals routingObjective() {
    return routeToGoals ? goals : null;
  }

  public double highestRate() {
    return rates.get(rates.size() - 1);
  }
}
