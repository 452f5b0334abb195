package dev.spillway.loadtest.experiment;

import dev.spillway.loadtest.Flags;
import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code experiment FILE.yaml --out DIR}: runs an experiment file in virtual time (or, with
 * {@code --live}, in real time through an in-process gateway over HTTP), writes its results into DIR and
 * prints the comparison tables. With {@code --shard i/N} it runs one slice of the runs and writes only
 * that shard's file into DIR; {@code experiment merge DIR...} ({@link ExperimentMerge}) then writes the
 * results of all the slices. Exit status: 0 done, 1 nothing completed, a live run failed or the files
 * could not be written, 2 a bad command line or experiment file (the message names the field), or a live
 * experiment longer than {@code --max-live-minutes}.
 */
public final class ExperimentCommand {

  static final double DEFAULT_MAX_LIVE_MINUTES = 30;

  static final List<Flag> FLAGS =
      List.of(
          Flag.valued("out", "DIR", "where results.json, results.md, plot-*.svg and report.html go (required)"),
          Flag.valued("parallel", "N", "simulations run at once; default: the available processors (not with --live)"),
          Flag.bool("live", "run each policy and rate in real time through an in-process gateway over HTTP on 127.0.0.1"),
          Flag.valued("max-live-minutes", "M",
              "with --live, refuse an experiment estimated to take longer (sum of requests / rate); default "
                  + (int) DEFAULT_MAX_LIVE_MINUTES),
          Flag.valued("shard", "i/N",
              "run only runs i, i+N, i+2N, ... of the plan and write shard-i-of-N.json into --out;"
                  + " experiment merge builds the results (not with --live)"),
          Flag.bool("quiet", "no progress line per run on stderr"),
          Flag.bool("help", "show this help"));

  private final PrintStream out;
  private final PrintStream err;

  public ExperimentCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  static String usage() {
    return "usage: spillway-loadtest experiment FILE.yaml --out DIR [--parallel N] [--live [--max-live-minutes M]]"
        + " [--shard i/N] [--quiet]\n"
        + "       spillway-loadtest experiment merge DIR... --out DIR (merge --help)\n\n"
        + Flags.help(FLAGS)
        + "\nFILE names a workload, routing policies, rates and a fleet (docs/experiments.md).\n";
  }

  public int run(List<String> args) throws UsageException, IOException, InterruptedException {
    if (!args.isEmpty() && args.get(0).equals("merge")) {
      return new ExperimentMerge(out, err).run(args.subList(1, args.size()));
    }
    Flags.Positional parsed = Flags.parseWithOperand(args, FLAGS, "one experiment FILE");
    Flags flags = parsed.flags();
    String file = parsed.operand();
    if (flags.has("help")) {
      out.print(usage());
      return 0;
    }
    if (file == null) {
      throw new UsageException("FILE: missing (expected: an experiment YAML file, as in experiment FILE.yaml --out DIR)");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new UsageException("FILE: " + file + " (expected: a readable experiment YAML file)");
    }
    Path outDir = Path.of(flags.require("out", "a directory for the results"));
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new UsageException("--out: " + outDir + " (expected: a directory, not a file)");
    }
    int threads = flags.positiveInt("parallel", Math.max(1, Runtime.getRuntime().availableProcessors()));
    boolean live = flags.has("live");
    double maxLiveMinutes = flags.positiveDouble("max-live-minutes", DEFAULT_MAX_LIVE_MINUTES);
    Shard shard = null;
    if (flags.has("shard")) {
      if (live) {
        throw new UsageException("--shard: set with --live (expected: shards run in virtual time)");
      }
      try {
        shard = Shard.parse(flags.get("shard"));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    ExperimentSpec spec;
    try {
      spec = ExperimentFile.load(path);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Experiment experiment = new Experiment(spec);
    if (shard != null) {
      return runShard(experiment, path, shard, outDir, threads, flags.has("quiet"));
    }
    int total = experiment.runCount();
    int[] done = {0};
    boolean quiet = flags.has("quiet");
    Consumer<RunResult> progress = run -> {
      done[0]++;
      if (!quiet) {
        err.printf(Locale.ROOT, "[%d/%d] %s @ %s req/s: goodput %.2f req/s, attainment %.1f%% (%.1f s)%n",
            done[0], total, run.name(), ExperimentReport.rate(run.rate()), run.goodput(),
            run.sloAttainment() * 100, run.wallSeconds());
      }
    };
    ExperimentResults results;
    if (live) {
      double minutes = experiment.liveSecondsEstimate() / 60;
      err.printf(Locale.ROOT,
          "experiment %s: %d live runs, one after another, fleet $%.2f/h; estimated real time %.1f min "
              + "(sum over runs of requests / rate, plus each run's drain)%n",
          spec.name(), total, spec.fleet().costPerHour(), minutes);
      if (minutes > maxLiveMinutes) {
        throw new UsageException(String.format(Locale.ROOT,
            "--live: estimated %.1f min of real time exceeds --max-live-minutes %s (expected: raise "
                + "--max-live-minutes to at least %d to run it, or fewer requests, rates or policies)",
            minutes, ExperimentReport.rate(maxLiveMinutes), (int) Math.ceil(minutes)));
      }
      try {
        results = experiment.runLive(progress);
      } catch (IllegalStateException e) {
        throw new IOException("live run failed: " + e.getMessage(), e);
      }
    } else {
      err.printf(Locale.ROOT, "experiment %s: %d simulations on %d thread(s), fleet $%.2f/h%n",
          spec.name(), total, threads, spec.fleet().costPerHour());
      results = experiment.run(threads, progress);
    }
    ExperimentReport.write(outDir, results);
    out.print(ExperimentReport.markdown(results));
    out.printf(Locale.ROOT, "%nran %d %s in %.1f s of wall time%n",
        total, live ? "live runs" : "simulations", results.wallSeconds());
    out.println("results: " + outDir.resolve(ExperimentReport.RESULTS_MD) + ", "
        + outDir.resolve(ExperimentReport.RESULTS_JSON) + ", " + outDir.resolve(ExperimentReport.REPORT_HTML));
    boolean anyCompleted = results.allRuns().stream().anyMatch(r -> r.summary().completed() > 0);
    return anyCompleted ? 0 : 1;
  }

  /** Runs one shard and writes its file; the report waits for {@code experiment merge}. */
  private int runShard(Experiment experiment, Path path, Shard shard, Path outDir, int threads, boolean quiet)
      throws IOException, InterruptedException {
    ExperimentSpec spec = experiment.spec();
    List<Experiment.PlannedRun> mine = new ArrayList<>();
    for (Experiment.PlannedRun planned : experiment.plan()) {
      if (shard.includes(planned.index())) {
        mine.add(planned);
      }
    }
    err.printf(Locale.ROOT, "experiment %s, shard %s: %d of %d simulations on %d thread(s)%n",
        spec.name(), shard, mine.size(), experiment.runCount(), threads);
    int[] done = {0};
    long start = System.nanoTime();
    List<RunResult> runs = experiment.runShard(shard, threads, run -> {
      done[0]++;
      if (!quiet) {
        err.printf(Locale.ROOT, "[%d/%d] %s @ %s req/s: goodput %.2f req/s (%.1f s)%n",
            done[0], mine.size(), run.name(), ExperimentReport.rate(run.rate()), run.goodput(), run.wallSeconds());
      }
    });
    java.util.Map<Integer, RunResult> byIndex = new java.util.TreeMap<>();
    for (int i = 0; i < runs.size(); i++) {
      byIndex.put(mine.get(i).index(), runs.get(i));
    }
    ShardFile file = new ShardFile(
        spec.name(), spec.source(), ShardFile.sha256(Files.readString(path)), shard, experiment.runCount(),
        (System.nanoTime() - start) / 1e9, byIndex);
    Path written = file.write(outDir);
    out.printf(Locale.ROOT, "shard %s: %d runs in %.1f s of wall time: %s%n",
        shard, runs.size(), file.wallSeconds(), written);
    return 0;
  }
}
