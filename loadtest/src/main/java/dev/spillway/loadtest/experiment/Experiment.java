package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.GatewayApp;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import dev.spillway.loadtest.http.DriverOptions;
import dev.spillway.loadtest.http.LoadDriver;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.loadtest.metrics.PredictionErrors;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.sim.SimulationPool;
import dev.spillway.loadtest.sim.Simulator;
import dev.spillway.loadtest.workload.Workload;
import dev.spillway.loadtest.workload.WorkloadOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
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
 *
 * <p>{@link #runLive} runs the same runs in real time instead: each through an in-process gateway
 * listening on 127.0.0.1, driven over HTTP by the {@link LoadDriver}, one run after another, all on one
 * Vert.x instance.
 */
public final class Experiment {

  private final ExperimentSpec spec;

  public Experiment(ExperimentSpec spec) {
    this.spec = requireNonNull(spec, "spec");
  }

  public ExperimentSpec spec() {
    return spec;
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
   * What a live run of everything takes in real time, in seconds: the sum over runs of the requests
   * planned divided by the rate (or the workload's duration, if that ends the schedule first). The drain
   * after each run's last arrival comes on top.
   */
  public double liveSecondsEstimate() {
    int fleets = spec.policies().size() + baselineFleets().size();
    double seconds = 0;
    for (double rate : spec.rates()) {
      seconds += fleets * scheduleSeconds(spec.workload(), rate);
    }
    return seconds;
  }

  static double scheduleSeconds(WorkloadOptions workload, double rate) {
    double byCount = workload.requests() > 0 ? workload.requests() / rate : Double.POSITIVE_INFINITY;
    double byDuration =
        workload.duration() != null ? workload.duration().toNanos() / 1e9 : Double.POSITIVE_INFINITY;
    return Math.min(byCount, byDuration);
  }

  /**
   * Runs everything live, one run after another in the same order as {@link #run}: for each run, a
   * gateway on 127.0.0.1 with the run's configuration, driven over HTTP in real time, then closed.
   * {@code progress} hears of each run as it finishes.
   *
   * @throws IllegalStateException when a gateway does not start or a run fails
   */
  public ExperimentResults runLive(Consumer<RunResult> progress) throws InterruptedException {
    long start = System.nanoTime();
    Vertx vertx = Vertx.vertx();
    try {
      List<RunResult> policies = new ArrayList<>();
      for (double rate : spec.rates()) {
        for (String policy : spec.policies()) {
          policies.add(live(vertx, policy, RunResult.Kind.POLICY, policy, null, spec.fleet(), rate, progress));
        }
      }
      List<ExperimentResults.Candidate> candidates = new ArrayList<>();
      for (Fleet fleet : baselineFleets()) {
        List<RunResult> runs = new ArrayList<>();
        String accelerator = fleet.pools().get(0).accelerator();
        for (double rate : spec.rates()) {
          runs.add(live(vertx, candidateName(fleet), RunResult.Kind.BASELINE, spec.baseline().policy(),
              accelerator, fleet, rate, progress));
        }
        candidates.add(new ExperimentResults.Candidate(
            candidateName(fleet), accelerator, fleet.pools().get(0).replicas(), fleet.costPerHour(), runs));
      }
      return new ExperimentResults(
          spec, policies, candidates, best(candidates), (System.nanoTime() - start) / 1e9, true);
    } finally {
      await(vertx.close(), "closing Vert.x");
    }
  }

  private RunResult live(
      Vertx vertx, String name, RunResult.Kind kind, String policy, String accelerator, Fleet fleet, double rate,
      Consumer<RunResult> report) throws InterruptedException {
    GatewayConfig routed = fleet.config(policy, spec.routingObjective());
    // No usage ledger: an experiment measures routing, and a sync at the end of every response would
    // be in the latencies it compares.
    GatewayConfig config =
        routed
            .withServer(routed.server().withAddress("127.0.0.1", 0))
            .withLedger(LedgerConfig.disabled());
    Workload workload = Workload.of(spec.workload().withRate(rate));
    String what = name + " @ " + ExperimentReport.rate(rate) + " req/s";
    long start = System.nanoTime();
    GatewayApp app = await(GatewayApp.start(vertx, config, spec.profiles()), "starting the gateway for " + what);
    dev.spillway.loadtest.http.RunResult result;
    Map<String, PredictionErrors> errors;
    try {
      DriverOptions driver = DriverOptions.of(URI.create("http://127.0.0.1:" + app.port() + "/v1"));
      result = await(LoadDriver.run(vertx, workload, driver, null), "driving " + what);
      errors = livePredictionErrors(app);
    } finally {
      await(app.close(), "closing the gateway for " + what);
    }
    RunResult run = result(name, kind, policy, accelerator, fleet, rate, result.records(), errors, start);
    report.accept(run);
    return run;
  }

  /** What the gateway's tracker says of each pool's predictions: its most recent finished requests. */
  private static Map<String, PredictionErrors> livePredictionErrors(GatewayApp app)
      throws InterruptedException {
    Map<String, PredictionErrors> errors = new TreeMap<>();
    try {
      for (Gateway.PoolStatus pool : app.core().pools().toCompletableFuture().get()) {
        Gateway.PredictionError e = pool.predictionError();
        if (e.ttftSamples() > 0) {
          errors.put(pool.pool(), new PredictionErrors(
              e.ttftSamples(), orNaN(e.ttftMedianAbsError()), orNaN(e.ttftMedianBias()),
              e.tpotSamples(), orNaN(e.tpotMedianAbsError()), orNaN(e.tpotMedianBias())));
        }
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("reading the gateway's pools: " + e.getCause().getMessage(), e.getCause());
    }
    return errors;
  }

  private static double orNaN(Double value) {
    return value == null ? Double.NaN : value;
  }

  private static <T> T await(io.vertx.core.Future<T> future, String what) throws InterruptedException {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(what + ": " + cause.getMessage(), cause);
    }
  }

  /**
   * One run before it runs: what it is called, what it routes over, at which rate. {@link #plan} lists
   * them in the order {@link ExperimentResults} does, and a run's {@code index} there is its identity
   * across shards.
   */
  record PlannedRun(
      int index, String name, RunResult.Kind kind, String policy, String accelerator, Fleet fleet, double rate) {}

  /** Every run, in results order: each rate's policies, rates ascending; then each baseline fleet's rates. */
  List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>(runCount());
    for (double rate : spec.rates()) {
      for (String policy : spec.policies()) {
        plan.add(new PlannedRun(plan.size(), policy, RunResult.Kind.POLICY, policy, null, spec.fleet(), rate));
      }
    }
    for (Fleet fleet : baselineFleets()) {
      String accelerator = fleet.pools().get(0).accelerator();
      for (double rate : spec.rates()) {
        plan.add(new PlannedRun(plan.size(), candidateName(fleet), RunResult.Kind.BASELINE,
            spec.baseline().policy(), accelerator, fleet, rate));
      }
    }
    return plan;
  }

  /**
   * Runs everything on {@code threads} threads; {@code progress} hears of each run as it finishes, one
   * call at a time.
   */
  public ExperimentResults run(int threads, Consumer<RunResult> progress) throws InterruptedException {
    long start = System.nanoTime();
    List<RunResult> runs = runShard(Shard.WHOLE, threads, progress);
    return assemble(runs, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Runs the runs of {@code shard} on {@code threads} threads and returns them in plan order; the
   * rest of the plan is left to the other shards. Each run is the same simulation whichever shard
   * runs it, so shards merged by {@link #assemble} equal {@link #run}.
   */
  public List<RunResult> runShard(Shard shard, int threads, Consumer<RunResult> progress)
      throws InterruptedException {
    requireNonNull(shard, "shard");
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    Consumer<RunResult> report =
        run -> {
          synchronized (progress) {
            progress.accept(run);
          }
        };
    try (SimulationPool pool = new SimulationPool("experiment", threads)) {
      List<Future<RunResult>> runs = new ArrayList<>();
      for (PlannedRun planned : plan()) {
        if (shard.includes(planned.index())) {
          runs.add(pool.submit(() -> simulate(planned, report)));
        }
      }
      return SimulationPool.results(runs);
    }
  }

  /**
   * The results of every run of the plan, given in plan order: the policy runs, then each candidate's,
   * and the best candidate.
   */
  public ExperimentResults assemble(List<RunResult> runs, double wallSeconds) {
    if (runs.size() != runCount()) {
      throw new IllegalArgumentException("runs: " + runs.size() + " (expected: " + runCount() + ")");
    }
    int policyRuns = spec.rates().size() * spec.policies().size();
    List<ExperimentResults.Candidate> candidates = new ArrayList<>();
    int next = policyRuns;
    for (Fleet fleet : baselineFleets()) {
      List<RunResult> fleetRuns = runs.subList(next, next + spec.rates().size());
      next += spec.rates().size();
      candidates.add(new ExperimentResults.Candidate(
          candidateName(fleet), fleet.pools().get(0).accelerator(), fleet.pools().get(0).replicas(),
          fleet.costPerHour(), fleetRuns));
    }
    return new ExperimentResults(
        spec, runs.subList(0, policyRuns), candidates, best(candidates), wallSeconds);
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

  private RunResult simulate(PlannedRun planned, Consumer<RunResult> report) {
    GatewayConfig config = planned.fleet().config(planned.policy(), spec.routingObjective());
    Workload workload = Workload.of(spec.workload().withRate(planned.rate()));
    long start = System.nanoTime();
    Simulator.Result result = new Simulator(config, spec.profiles()).runOpenLoop(workload.iterator());
    RunResult run = result(planned.name(), planned.kind(), planned.policy(), planned.accelerator(),
        planned.fleet(), planned.rate(), result.records(), PredictionErrors.byPool(result.records()), start);
    report.accept(run);
    return run;
  }

  private RunResult result(
      String name, RunResult.Kind kind, String policy, String accelerator, Fleet fleet, double rate,
      List<RequestRecord> records, Map<String, PredictionErrors> errors, long startNanos) {
    Summary summary = Summary.of(records, spec.goals(), Summary.measuredDurationNanos(records));
    return new RunResult(name, kind, policy, accelerator, rate, window(records),
        fleet.costPerHour(), summary, errors, (System.nanoTime() - startNanos) / 1e9);
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

}
