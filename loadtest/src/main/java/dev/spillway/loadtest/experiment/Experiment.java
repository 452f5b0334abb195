package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.sim.Simulator;
import dev.spillway.loadtest.workload.Workload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs an experiment: every policy at every rate over the mixed fleet, then, with a baseline, every
 * equal-cost single-accelerator fleet at every rate, and picks the best of those.
 *
 * <p>Implementation notes. Each run is an independent simulation on its own virtual clock over the same
 * seeded workload, so runs may go in parallel on several threads and the results are the same whatever
 * the order; results are collected in the spec's order, not completion order. The best baseline is the
 * candidate with the highest goodput at the highest rate, ties broken by the lower cost per million
 * output tokens.
 */
public final class Experiment {

  private final ExperimentSpec spec;

  public Experiment(ExperimentSpec spec) {
    this.spec = requireNonNull(spec, "spec");
  }

  /** The equal-cost fleets a baseline compares with: one per accelerator of the mixed fleet. */
  public List<Fleet> baselineFleets() {
    List<Fleet> fleets = new ArrayList<>();
    if (spec.baseline() != null) {
      double budget = spec.fleet().costPerHour();
      for (String accelerator : spec.fleet().accelerators()) {
        fleets.add(spec.fleet().singleAccelerator(accelerator, budget));
      }
    }
    return fleets;
  }

  /** How many simulations {@link #run} performs. */
  public int runCount() {
    return spec.rates().size() * (spec.policies().size() + baselineFleets().size());
  }

  /**
   * Runs everything on {@code threads} threads; {@code progress} hears of each run as it finishes, one
   * call at a time.
   */
  public ExperimentResults run(int threads, Consumer<RunResult> progress) throws InterruptedException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    long start = System.nanoTime();
    Consumer<RunResult> report =
        run -> {
          synchronized (progress) {
            progress.accept(run);
          }
        };
    ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "experiment");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<RunResult>> policyRuns = new ArrayList<>();
      for (double rate : spec.rates()) {
        for (String policy : spec.policies()) {
          policyRuns.add(pool.submit(
              () -> simulate(policy, RunResult.Kind.POLICY, policy, null, spec.fleet(), rate, report)));
        }
      }
      List<Fleet> fleets = baselineFleets();
      List<List<Future<RunResult>>> candidateRuns = new ArrayList<>();
      for (Fleet fleet : fleets) {
        List<Future<RunResult>> runs = new ArrayList<>();
        String accelerator = fleet.pools().get(0).accelerator();
        for (double rate : spec.rates()) {
          runs.add(pool.submit(
              () -> simulate(candidateName(fleet), RunResult.Kind.BASELINE, spec.baseline().policy(),
                  accelerator, fleet, rate, report)));
        }
        candidateRuns.add(runs);
      }
      List<RunResult> policies = collect(policyRuns);
      List<ExperimentResults.Candidate> candidates = new ArrayList<>();
      for (int i = 0; i < fleets.size(); i++) {
        Fleet fleet = fleets.get(i);
        candidates.add(new ExperimentResults.Candidate(
            candidateName(fleet), fleet.pools().get(0).accelerator(), fleet.pools().get(0).replicas(),
            fleet.costPerHour(), collect(candidateRuns.get(i))));
      }
      return new ExperimentResults(spec, policies, candidates, best(candidates), (System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The candidate with the most goodput at the highest rate; ties by the lower cost per 1M output tokens. */
  ExperimentResults.Candidate best(List<ExperimentResults.Candidate> candidates) {
    double top = spec.highestRate();
    Comparator<ExperimentResults.Candidate> byGoodput =
        Comparator.comparingDouble(c -> c.atRate(top).goodput());
    Comparator<ExperimentResults.Candidate> byCost =
        Comparator.comparingDouble(c -> {
          RunResult run = c.atRate(top);
          return run.summary().totalOutputTokens() == 0 ? Double.POSITIVE_INFINITY : run.costPerMillionOutputTokens();
        });
    return candidates.stream().max(byGoodput.thenComparing(byCost.reversed())).orElse(null);
  }

  static String candidateName(Fleet fleet) {
    Fleet.Pool pool = fleet.pools().get(0);
    return String.format(Locale.ROOT, "equal-cost %s ×%d", pool.accelerator(), pool.replicas());
  }

  private RunResult simulate(
      String name, RunResult.Kind kind, String policy, String accelerator, Fleet fleet, double rate,
      Consumer<RunResult> report) {
    GatewayConfig config = fleet.config(policy, spec.routingObjective());
    Workload workload = Workload.of(spec.workload().withRate(rate));
    long start = System.nanoTime();
    Simulator.Result result = new Simulator(config, spec.profiles()).runOpenLoop(workload.iterator());
    Summary summary =
        Summary.of(result.records(), spec.goals(), Summary.measuredDurationNanos(result.records()));
    RunResult run =
        new RunResult(name, kind, policy, accelerator, rate, window(result.records()),
            fleet.costPerHour(), summary, (System.nanoTime() - start) / 1e9);
    report.accept(run);
    return run;
  }

  /** The measured requests' arrival window, and the output tokens any request streamed within it. */
  static RunResult.Window window(List<RequestRecord> records) {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long measured = 0;
    for (RequestRecord record : records) {
      if (!record.warmup()) {
        first = Math.min(first, record.intendedStartNanos());
        last = Math.max(last, record.intendedStartNanos());
        measured++;
      }
    }
    if (measured == 0) {
      return new RunResult.Window(0, 0, 0);
    }
    long tokens = 0;
    for (RequestRecord record : records) {
      for (long at : record.tokenNanos()) {
        if (at >= first && at <= last) {
          tokens++;
        }
      }
    }
    return new RunResult.Window((last - first) / 1e9, measured, tokens);
  }

  private static List<RunResult> collect(List<Future<RunResult>> futures) throws InterruptedException {
    List<RunResult> results = new ArrayList<>(futures.size());
    for (Future<RunResult> future : futures) {
      try {
        results.add(future.get());
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        throw new IllegalStateException("experiment run failed", cause);
      }
    }
    return results;
  }
}
