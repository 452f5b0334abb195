package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything an experiment measured.
 *
 * @param policyRuns one run per policy and rate, rates ascending, policies in the spec's order within a rate
 * @param candidates the equal-cost single-accelerator fleets, one per accelerator of the mixed fleet;
 *     empty without a baseline
 * @param best the candidate reported as the baseline; null without one
 * @param wallSeconds the whole experiment's wall time
 * @param live whether the runs went through a real gateway over HTTP in real time, not the simulator
 */
public record ExperimentResults(
    ExperimentSpec spec, List<RunResult> policyRuns, List<Candidate> candidates, Candidate best,
    double wallSeconds, boolean live) {

  /** Simulated results. */
  public ExperimentResults(
      ExperimentSpec spec, List<RunResult> policyRuns, List<Candidate> candidates, Candidate best,
      double wallSeconds) {
    this(spec, policyRuns, candidates, best, wallSeconds, false);
  }

  /** {@code live} or {@code simulation}, as results.json says. */
  public String mode() {
    return live ? "live" : "simulation";
  }

  /**
   * One equal-cost single-accelerator fleet and its runs, one per rate.
   *
   * @param costPerHour what its replicas actually cost, at most the mixed fleet's budget
   */
  public record Candidate(String name, String accelerator, int replicas, double costPerHour, List<RunResult> runs) {

    public Candidate {
      requireNonNull(name, "name");
      runs = List.copyOf(runs);
    }

    public RunResult atRate(double rate) {
      for (RunResult run : runs) {
        if (run.rate() == rate) {
          return run;
        }
      }
      throw new IllegalArgumentException("rate: " + rate + " (expected one of the experiment's rates)");
    }
  }

  public ExperimentResults {
    requireNonNull(spec, "spec");
    policyRuns = List.copyOf(policyRuns);
    candidates = List.copyOf(candidates);
  }

  /** The runs at {@code rate}: every policy, then the best baseline if any. */
  public List<RunResult> comparisonAt(double rate) {
    List<RunResult> rows = new ArrayList<>();
    for (RunResult run : policyRuns) {
      if (run.rate() == rate) {
        rows.add(run);
      }
    }
    if (best != null) {
      rows.add(best.atRate(rate));
    }
    return rows;
  }

  /** Every run, policies first, then each candidate's. */
  public List<RunResult> allRuns() {
    List<RunResult> all = new ArrayList<>(policyRuns);
    candidates.forEach(c -> all.addAll(c.runs()));
    return all;
  }

  /** One policy's runs, rates ascending. */
  public List<RunResult> runsOf(String policy) {
    List<RunResult> runs = new ArrayList<>();
    for (RunResult run : policyRuns) {
      if (run.name().equals(policy)) {
        runs.add(run);
      }
    }
    return runs;
  }
}
