package dev.spillway.loadtest.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.loadtest.CommandOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentShardTest {

  /** Two policies at two rates, and a two-accelerator baseline at both: eight small runs. */
  private static final String TINY =
      "name: tiny\n"
          + "workload:\n"
          + "  model: llama-3.1-8b\n"
          + "  requests: 120\n"
          + "  warmup: 10\n"
          + "  inputLen: uniform:200:600\n"
          + "  outputLen: uniform:20:60\n"
          + "  seed: 5\n"
          + "  slo: {ttft: 1s, tpot: 50ms}\n"
          + "rates: [4, 20]\n"
          + "policies: [round-robin, cheapest-within-slo]\n"
          + "fleet:\n"
          + "  models:\n"
          + "    - name: llama-3.1-8b\n"
          + "      pools:\n"
          + "        - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 1}\n"
          + "        - {kind: emulated, accelerator: trn2.48xlarge, tp: 8, replicas: 2}\n"
          + "baseline: equal-cost-single-accelerator\n";

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path experiment(String yaml) throws IOException {
    Path file = dir.resolve("tiny.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static CommandOutcome ok(String... args) {
    CommandOutcome outcome = CommandOutcome.of(args);
    assertThat(outcome.status()).as(outcome.err()).isZero();
    return outcome;
  }

  @Test
  void mergedShardsWriteTheSameResultsTablesAndPlotsAsOneRun() throws Exception {
    Path file = experiment(TINY);
    Path whole = dir.resolve("whole");
    Path shards = dir.resolve("shards");
    Path merged = dir.resolve("merged");

    ok("experiment", file.toString(), "--out", whole.toString(), "--parallel", "1", "--quiet");
    for (int i = 0; i < 3; i++) {
      CommandOutcome shard =
          ok("experiment", file.toString(), "--shard", i + "/3", "--out", shards.toString(), "--parallel", "1",
              "--quiet");
      // Runs 0..7 dealt in turn: 0,3,6 / 1,4,7 / 2,5.
      assertThat(shard.out()).startsWith("shard " + i + "/3: " + (i < 2 ? 3 : 2) + " runs in ");
    }
    CommandOutcome merge = ok("experiment", "merge", shards.toString(), "--out", merged.toString());

    assertThat(Files.exists(shards.resolve(ExperimentReport.RESULTS_JSON))).isFalse();
    assertThat(withoutWallTimes(merged.resolve(ExperimentReport.RESULTS_JSON)))
        .isEqualTo(withoutWallTimes(whole.resolve(ExperimentReport.RESULTS_JSON)));
    assertThat(withoutWallTimes(merged.resolve(ExperimentReport.RESULTS_JSON)).get("runs")).hasSize(8);
    assertThat(Files.readString(merged.resolve(ExperimentReport.RESULTS_MD)))
        .isEqualTo(Files.readString(whole.resolve(ExperimentReport.RESULTS_MD)));
    List<String> plots = plots(whole);
    assertThat(plots).isNotEmpty().isEqualTo(plots(merged));
    for (String plot : plots) {
      assertThat(Files.readString(merged.resolve(plot))).as(plot).isEqualTo(Files.readString(whole.resolve(plot)));
    }
    assertThat(merge.out()).isEqualTo(
        Files.readString(whole.resolve(ExperimentReport.RESULTS_MD)) + "results: "
            + merged.resolve(ExperimentReport.RESULTS_MD) + ", " + merged.resolve(ExperimentReport.RESULTS_JSON)
            + ", " + merged.resolve(ExperimentReport.REPORT_HTML) + "\n");
  }

  @Test
  void mergeNamesTheShardsThatAreMissing() throws Exception {
    Path file = experiment(TINY);
    Path shards = dir.resolve("shards");
    ok("experiment", file.toString(), "--shard", "1/4", "--out", shards.toString(), "--quiet");

    CommandOutcome merge = CommandOutcome.of("experiment", "merge", shards.toString(), "--out", dir.resolve("m").toString());

    assertThat(merge.status()).isEqualTo(2);
    assertThat(merge.err())
        .contains("shards: 1 of 4, missing 0/4, 2/4, 3/4 (expected: every shard of the experiment)");
  }

  @Test
  void mergeRefusesShardsOfAnExperimentFileEditedSince() throws Exception {
    Path file = experiment(TINY);
    Path shards = dir.resolve("shards");
    ok("experiment", file.toString(), "--shard", "0/1", "--out", shards.toString(), "--quiet");
    Files.writeString(file, TINY.replace("seed: 5", "seed: 6"));

    CommandOutcome merge = CommandOutcome.of("experiment", "merge", shards.toString(), "--out", dir.resolve("m").toString());

    assertThat(merge.status()).isEqualTo(2);
    assertThat(merge.err()).contains("--experiment: " + file + " has changed since the shards ran");
  }

  @Test
  void shardOutsideItsCountIsAUsageError() throws Exception {
    Path file = experiment(TINY);

    CommandOutcome outcome =
        CommandOutcome.of("experiment", file.toString(), "--shard", "3/3", "--out", dir.resolve("s").toString());

    assertThat(outcome.status()).isEqualTo(2);
    assertThat(outcome.err()).contains("--shard: 3/3 (expected: i/N with N >= 1 and 0 <= i < N, such as 0/4)");
  }

  @Test
  void shardFileReadsBackEveryRunEqualToTheRunWritten() throws Exception {
    ExperimentSpec spec = ExperimentFile.parse(TINY, dir, "tiny", "tiny.yaml");
    Experiment experiment = new Experiment(spec);
    List<RunResult> runs = experiment.runShard(new Shard(1, 3), 1, run -> {});
    java.util.Map<Integer, RunResult> byIndex = new java.util.TreeMap<>();
    byIndex.put(1, runs.get(0));
    byIndex.put(4, runs.get(1));
    byIndex.put(7, runs.get(2));
    ShardFile written = new ShardFile("tiny", "tiny.yaml", ShardFile.sha256(TINY), new Shard(1, 3), 8, 1.5, byIndex);

    ShardFile read = ShardFile.read(written.write(dir));

    assertThat(read).isEqualTo(written);
    assertThat(read.runs().get(7).kind()).isEqualTo(RunResult.Kind.BASELINE);
  }

  private static JsonNode withoutWallTimes(Path results) throws IOException {
    ObjectNode json = (ObjectNode) JSON.readTree(results.toFile());
    json.remove("wall_time_s");
    for (JsonNode run : json.get("runs")) {
      ((ObjectNode) run).remove("wall_time_s");
    }
    return json;
  }

  private static List<String> plots(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".svg")).sorted()
          .collect(Collectors.toList());
    }
  }
}
