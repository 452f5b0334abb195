package dev.spillway.loadtest;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.core.PoolBill;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.report.Report;
import dev.spillway.loadtest.report.ReportStream;
import dev.spillway.loadtest.report.SummaryTable;
import dev.spillway.loadtest.sim.Simulator;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.Workload;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code simulate}: runs a workload against the gateway's own core (flow control, router, batcher)
 * and the emulated engines on a virtual clock, in-process, and writes the same report files as
 * {@code run}.
 */
final class SimulateCommand {

  static final List<Flag> OWN_FLAGS =
      List.of(
          Flag.valued("config", "FILE", "gateway configuration; default: the embedded fleet"),
          Flag.valued("profiles", "FILE", "accelerator and model profiles over the built-in ones"),
          Flag.valued("policy", "NAME", "routing policy for every model, overriding the config"),
          Flag.valued("out", "DIR", "where summary.json, requests.csv and report.html go (required)"),
          Flag.bool("help", "show this help"));

  static final List<Flag> FLAGS = concat(OWN_FLAGS, WorkloadFlags.FLAGS, WorkloadFlags.SLO_FLAGS);

  private final PrintStream out;
  private final PrintStream err;

  SimulateCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  static String usage() {
    return "usage: spillway-loadtest simulate --model M (--rate R | --concurrency N | --trace FILE)"
        + " --requests N --out DIR [--config FILE] [--policy P] [flags]\n\n" + Flags.help(FLAGS);
  }

  int run(List<String> args) throws UsageException, IOException {
    Flags flags = Flags.parse(args, FLAGS);
    if (flags.has("help")) {
      out.print(usage());
      return 0;
    }
    Path outDir = Path.of(flags.require("out", "a directory for the report files"));
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new UsageException("--out: " + outDir + " (expected: a directory, not a file)");
    }
    GatewayConfig config = config(flags);
    Profiles profiles;
    try {
      profiles = flags.has("profiles") ? Profiles.withOverrides(Path.of(flags.get("profiles"))) : Profiles.builtIn();
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new UsageException("--profiles: " + e.getMessage());
    }
    WorkloadFlags.Parsed parsed = WorkloadFlags.parse(flags);
    SloGoals goals = WorkloadFlags.sloGoals(flags);
    long completed = 0;
    for (WorkloadOptions options : parsed.runs()) {
      for (String model : options.models().values()) {
        if (config.models().stream().noneMatch(m -> m.name().equals(model) || m.aliases().contains(model))) {
          throw new UsageException(
              "--model: " + model + " (expected one of the configured models: "
                  + config.models().stream().map(ModelConfig::name).toList() + ")");
        }
      }
      Workload workload = Workload.of(options);
      if (!workload.bounded()) {
        throw new UsageException("--requests or --duration: missing (expected: a bounded simulation)");
      }
      Simulator simulator;
      try {
        simulator = new Simulator(config, profiles);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--config: " + e.getMessage());
      }
      Path dir =
          parsed.sweepRates().isEmpty()
              ? outDir
              : outDir.resolve("rate-" + ((Arrival.RateDriven) options.arrival()).ratePerSecond());
      Summary summary;
      Simulator.Totals result;
      double wallSeconds;
      // requests.csv is written, and the summary folded, on the report's own thread as requests end.
      try (ReportStream report = ReportStream.open(dir, goals)) {
        long wallStart = System.nanoTime();
        result =
            options.arrival() instanceof Arrival.ClosedLoop
                ? simulator.runClosedLoop(
                    workload.iterator(), ((Arrival.ClosedLoop) options.arrival()).concurrency(), report)
                : simulator.runOpenLoop(workload.iterator(), report);
        wallSeconds = (System.nanoTime() - wallStart) / 1e9;
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("backend", "spillway-simulator");
        metadata.put("model_id", options.models().toString());
        metadata.put("arrival", options.arrival().describe());
        metadata.put("num_prompts", options.requests());
        metadata.put("input_len", options.inputLength().text());
        metadata.put("output_len", options.outputLength().text());
        metadata.put("seed", options.seed());
        metadata.put("policy", flags.has("policy") ? flags.get("policy") : "as configured");
        metadata.put("virtual_duration_s", result.durationNanos() / 1e9);
        metadata.put("wall_time_s", wallSeconds);
        metadata.put("events", result.events());
        metadata.put("command_line", "simulate " + String.join(" ", args));
        summary = report.finish(metadata);
      }
      out.print(SummaryTable.render(summary));
      out.printf(
          Locale.ROOT, "simulated %d requests: %.1f s of virtual time in %.2f s of wall time (%d events)%n",
          result.requests(), result.durationNanos() / 1e9, wallSeconds, result.events());
      for (PoolBill pool : result.pools()) {
        out.printf(
            Locale.ROOT, "pool %s: %.1f replica-seconds, peak %d billed%n", pool.pool(),
            pool.replicaSeconds(), pool.peakBilled());
      }
      out.println("report: " + dir.resolve(Report.REPORT_HTML));
      completed += summary.completed();
    }
    return completed == 0 ? 1 : 0;
  }

  private static GatewayConfig config(Flags flags) throws UsageException {
    GatewayConfig config;
    try {
      ConfigLoader loader = ConfigLoader.withSystemEnvironment();
      config = flags.has("config") ? loader.load(Path.of(flags.get("config"))) : loader.loadDefault();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--config: " + e.getMessage());
    }
    if (!flags.has("policy")) {
      return config;
    }
    String policy = flags.get("policy");
    if (!RoutingPolicies.names().contains(policy)) {
      throw new UsageException("--policy: " + policy + " (expected one of: " + RoutingPolicies.names() + ")");
    }
    List<ModelConfig> models = new ArrayList<>();
    for (ModelConfig m : config.models()) {
      models.add(
          new ModelConfig(
              m.name(), m.aliases(), policy, m.queueCapacity(), m.maxQueueWait(), m.slos(),
              m.defaultMaxTokens(), m.embeddingDimensions(), m.pools(), m.cache(), m.fallbacks()));
    }
    return new GatewayConfig(config.server(), models);
  }

  @SafeVarargs
  private static List<Flag> concat(List<Flag>... lists) {
    List<Flag> all = new ArrayList<>();
    for (List<Flag> list : lists) {
      all.addAll(list);
    }
    return List.copyOf(all);
  }
}
