package dev.spillway.loadtest.experiment;

import dev.spillway.loadtest.Flags;
import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code experiment merge DIR... --out DIR}: reads the shard files that {@code experiment --shard i/N}
 * runs wrote into the DIRs, checks that they are every shard of one experiment file, each run once,
 * and writes the same {@code results.json}, {@code results.md} and plots as an unsharded run of that
 * file — up to the wall times, which say how long each shard took. The experiment file is read again
 * from where the shards read it (or {@code --experiment FILE}) and must be the text they ran.
 */
final class ExperimentMerge {

  static final List<Flag> FLAGS =
      List.of(
          Flag.valued("out", "DIR", "where results.json, results.md, plot-*.svg and report.html go (required)"),
          Flag.valued("experiment", "FILE",
              "the experiment file the shards ran; default: the path they recorded"),
          Flag.bool("help", "show this help"));

  private static final String SHARD_GLOB = "shard-*-of-*.json";

  private final PrintStream out;
  private final PrintStream err;

  ExperimentMerge(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  static String usage() {
    return "usage: spillway-loadtest experiment merge DIR... --out DIR [--experiment FILE]\n\n"
        + Flags.help(FLAGS)
        + "\nDIR holds shard-I-of-N.json files written by experiment FILE.yaml --shard I/N --out DIR.\n";
  }

  int run(List<String> args) throws UsageException, IOException {
    Flags.Operands parsed = Flags.parseWithOperands(args, FLAGS);
    Flags flags = parsed.flags();
    if (flags.has("help")) {
      out.print(usage());
      return 0;
    }
    if (parsed.operands().isEmpty()) {
      throw new UsageException(
          "DIR: missing (expected: one or more directories of shard files, as in merge DIR... --out DIR)");
    }
    Path outDir = Path.of(flags.require("out", "a directory for the results"));
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new UsageException("--out: " + outDir + " (expected: a directory, not a file)");
    }
    List<Path> dirs = new ArrayList<>();
    for (String dir : parsed.operands()) {
      Path path = Path.of(dir);
      if (!Files.isDirectory(path)) {
        throw new UsageException("DIR: " + dir + " (expected: a directory of shard files)");
      }
      dirs.add(path);
    }
    List<ShardFile> shards = read(dirs);
    ShardFile first = shards.get(0);
    Path file = Path.of(flags.has("experiment") ? flags.get("experiment") : first.source());
    ExperimentSpec spec;
    try {
      String text = Files.readString(file);
      if (!ShardFile.sha256(text).equals(first.sha256())) {
        throw new UsageException("--experiment: " + file + " has changed since the shards ran"
            + " (expected: the file with SHA-256 " + first.sha256() + ")");
      }
      spec = ExperimentFile.load(file);
    } catch (IOException e) {
      throw new UsageException("--experiment: " + file + " (expected: the readable experiment file the"
          + " shards ran; " + e.getMessage() + ")");
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (!spec.source().equals(first.source())) {
      // Reports name the file; keep the name the shards recorded, as an unsharded run there would.
      spec = ExperimentFile.parse(
          Files.readString(file), file.toAbsolutePath().getParent(),
          file.getFileName().toString().replaceFirst("\\.ya?ml$", ""), first.source());
    }
    ExperimentResults results;
    try {
      results = merge(new Experiment(spec), shards);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    err.printf(Locale.ROOT, "experiment %s: merged %d runs from %d shards%n",
        spec.name(), results.allRuns().size(), shards.size());
    ExperimentReport.write(outDir, results);
    out.print(ExperimentReport.markdown(results));
    out.println("results: " + outDir.resolve(ExperimentReport.RESULTS_MD) + ", "
        + outDir.resolve(ExperimentReport.RESULTS_JSON) + ", " + outDir.resolve(ExperimentReport.REPORT_HTML));
    boolean anyCompleted = results.allRuns().stream().anyMatch(r -> r.summary().completed() > 0);
    return anyCompleted ? 0 : 1;
  }

  /** Every shard file in {@code dirs}, in shard order; none, or one shard twice, is an error. */
  static List<ShardFile> read(List<Path> dirs) throws IOException, UsageException {
    Map<Integer, ShardFile> byIndex = new TreeMap<>();
    Map<Integer, Path> where = new TreeMap<>();
    for (Path dir : dirs) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, SHARD_GLOB)) {
        for (Path file : files) {
          ShardFile shard = ShardFile.read(file);
          Path seen = where.put(shard.shard().index(), file);
          if (seen != null) {
            throw new UsageException("DIR: shard " + shard.shard() + " in both " + seen + " and " + file
                + " (expected: each shard once)");
          }
          byIndex.put(shard.shard().index(), shard);
        }
      }
    }
    if (byIndex.isEmpty()) {
      throw new UsageException("DIR: no " + SHARD_GLOB + " in " + dirs
          + " (expected: the --out directories of experiment --shard runs)");
    }
    return List.copyOf(byIndex.values());
  }

  /**
   * The results of {@code experiment} from its shards: every shard of one file, each of its runs once.
   *
   * @throws IllegalArgumentException naming what is missing or does not match
   */
  static ExperimentResults merge(Experiment experiment, List<ShardFile> shards) {
    ShardFile first = shards.get(0);
    int count = first.shard().count();
    for (ShardFile shard : shards) {
      if (!shard.sha256().equals(first.sha256()) || shard.shard().count() != count) {
        throw new IllegalArgumentException("shard " + shard.shard() + ": of " + shard.source() + " in "
            + shard.shard().count() + " shards, SHA-256 " + shard.sha256() + " (expected: shards of one"
            + " file in " + count + ", SHA-256 " + first.sha256() + ", as shard " + first.shard() + ")");
      }
    }
    if (shards.size() != count) {
      List<Integer> found = shards.stream().map(s -> s.shard().index()).collect(Collectors.toList());
      List<String> missing = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        if (!found.contains(i)) {
          missing.add(i + "/" + count);
        }
      }
      throw new IllegalArgumentException("shards: " + shards.size() + " of " + count + ", missing "
          + String.join(", ", missing) + " (expected: every shard of the experiment)");
    }
    int runCount = experiment.runCount();
    List<RunResult> runs = new ArrayList<>(runCount);
    for (int index = 0; index < runCount; index++) {
      ShardFile owner = shards.get(index % count);
      RunResult run = owner.runs().get(index);
      if (run == null || owner.runCount() != runCount) {
        throw new IllegalArgumentException("shard " + owner.shard() + ": run " + index + " missing of "
            + owner.runCount() + " (expected: all " + runCount + " runs of the experiment, dealt in turn)");
      }
      runs.add(run);
    }
    double wall = shards.stream().mapToDouble(ShardFile::wallSeconds).max().orElse(0);
    return experiment.assemble(runs, wall);
  }
}
