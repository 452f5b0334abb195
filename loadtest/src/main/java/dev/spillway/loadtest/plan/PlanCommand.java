package dev.spillway.loadtest.plan;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.Flags;
import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code plan FILE.yaml --out DIR}: finds the cheapest fleet for a workload and its SLOs, writes
 * {@code plan.json}, {@code plan.md} and plots into DIR, and prints the Markdown. Exit status: 0 done
 * (whether or not a fleet meets the goals: plan.json says), 1 the files could not be written, 2 a bad
 * command line or plan file (the message names the field).
 */
public final class PlanCommand {

  static final List<Flag> FLAGS =
      List.of(
          Flag.valued("out", "DIR", "where plan.json, plan.md and plot-*.svg go (required)"),
          Flag.valued("parallel", "N", "simulations run at once; default: the available processors; results do not depend on it"),
          Flag.bool("quiet", "no progress line per fleet simulated on stderr"),
          Flag.bool("help", "show this help"));

  private final PrintStream out;
  private final PrintStream err;

  public PlanCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  static String usage() {
    return "usage: spillway-loadtest plan FILE.yaml --out DIR [--parallel N] [--quiet]\n\n"
        + Flags.help(FLAGS)
        + "\nFILE names a workload (a trace or distributions), per-tier SLOs, candidate pool shapes, routing\n"
        + "policies and pricing (docs/planning.md).\n";
  }

  public int run(List<String> args) throws UsageException, IOException, InterruptedException {
    Flags.Positional parsed = Flags.parseWithOperand(args, FLAGS, "plan FILE");
    Flags flags = parsed.flags();
    if (flags.has("help")) {
      out.print(usage());
      return 0;
    }
    if (parsed.operand() == null) {
      throw new UsageException("FILE: missing (expected: a plan YAML file, as in plan FILE.yaml --out DIR)");
    }
    Path path = Path.of(parsed.operand());
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new UsageException("FILE: " + parsed.operand() + " (expected: a readable plan YAML file)");
    }
    Path outDir = Path.of(flags.require("out", "a directory for the plan"));
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new UsageException("--out: " + outDir + " (expected: a directory, not a file)");
    }
    int threads = flags.positiveInt("parallel", Math.max(1, Runtime.getRuntime().availableProcessors()));
    PlanSpec spec;
    try {
      spec = PlanFile.load(path);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    boolean quiet = flags.has("quiet");
    err.printf(Locale.ROOT, "plan %s: %d candidates, %d policies, %s prices, on %d thread(s)%n",
        spec.name(), spec.candidates().size(), spec.policies().size(), spec.pricing(), threads);
    int[] count = {0};
    PlanResult result =
        new Planner(spec).plan(threads, e -> {
          count[0]++;
          if (!quiet) {
            err.println(progressLine(count[0], e, spec));
          }
        });
    PlanReport.write(outDir, result);
    out.print(PlanReport.markdown(result));
    out.println("\nresults: " + outDir.resolve(PlanReport.PLAN_MD) + ", " + outDir.resolve(PlanReport.PLAN_JSON)
        + ", " + outDir.resolve(PlanReport.COST_SVG));
    return 0;
  }

  /** {@code [7] trn2-tp64 ×1 + p5-fp8-tp2 ×2  $63.28/h  priority 0.9921 default 0.9874  meets (least-outstanding)}. */
  static String progressLine(int n, Evaluation e, PlanSpec spec) {
    Trial best = e.best();
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%d] %s  $%.2f/h ",
        n, e.composition().describe(spec.candidates()), e.costPerHour()));
    for (ServiceTier tier : spec.tiers()) {
      line.append(String.format(Locale.ROOT, " %s %.4f", tier.wireName(), best.attainment().get(tier)));
    }
    line.append(e.meets() ? "  meets (" + best.policy() + ")" : "  misses");
    return line.toString();
  }
}
