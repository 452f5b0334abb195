package dev.spillway.loadtest.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.loadtest.CommandOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {

  /** Two policies, two rates, a two-pool fleet, and the equal-cost baseline: eight small runs. */
  private static final String TINY =
      "name: tiny\n"
          + "workload:\n"
          + "  model: llama-3.1-8b\n"
          + "  requests: 160\n"
          + "  warmup: 10\n"
          + "  inputLen: uniform:200:600\n"
          + "  outputLen: uniform:20:60\n"
          + "  seed: 3\n"
          + "  slo: {ttft: 1s, tpot: 50ms}\n"
          + "rates: [20, 4]\n"
          + "policies: [round-robin, cheapest-within-slo]\n"
          + "fleet:\n"
          + "  models:\n"
          + "    - name: llama-3.1-8b\n"
          + "      pools:\n"
          + "        - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 1}\n"
          + "        - {kind: emulated, accelerator: trn2.48xlarge, tp: 8, replicas: 2}\n"
          + "baseline: equal-cost-single-accelerator\n";

  private static final String[] RUN_FIELDS = {
    "name", "kind", "policy", "rate", "fleet_cost_per_hour_usd", "slo_attainment", "goodput_rps",
    "ttft_p50_ms", "ttft_p99_ms", "tpot_p50_ms", "tpot_p99_ms", "cost_per_1m_output_tokens_usd",
    "fleet_cost_per_1m_output_tokens_usd", "price_per_1m_output_tokens_usd", "completed", "failed", "pool_share",
    "prediction_error"
  };

  @TempDir Path dir;

  private Path file(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  private static ExperimentSpec parse(String yaml) {
    return ExperimentFile.parse(yaml, Path.of("."), "test", "test.yaml");
  }

  @Test
  void tinyExperimentWritesEveryRunTablesPlotsAndReport() throws Exception {
    Path out = dir.resolve("out");
    CommandOutcome outcome = CommandOutcome.of("experiment", file("tiny.yaml", TINY).toString(), "--out", out.toString(), "--quiet");

    assertThat(outcome.status()).as(outcome.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(out.resolve(ExperimentReport.RESULTS_JSON).toFile());
    JsonNode runs = json.get("runs");
    // 2 policies × 2 rates, then 2 accelerators × 2 rates for the baseline
    assertThat(runs).hasSize(8);
    for (JsonNode run : runs) {
      for (String field : RUN_FIELDS) {
        assertThat(run.has(field)).as("run field " + field).isTrue();
      }
      assertThat(run.get("completed").asLong() + run.get("failed").asLong()).isEqualTo(150);
      assertThat(run.get("slo_attainment").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(runs.findValuesAsText("kind")).containsOnly("policy", "baseline");
    // Each pool a run used reports how far the predictions it was bound on were from the outcomes.
    for (JsonNode run : runs) {
      assertThat(run.get("prediction_error").size()).as(run.toString()).isEqualTo(run.get("pool_share").size());
      run.get("prediction_error").forEach(pool -> {
        assertThat(pool.get("ttft_samples").asLong()).isPositive();
        assertThat(pool.get("ttft_median_abs_error").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(pool.has("ttft_median_bias")).isTrue();
        assertThat(pool.get("tpot_median_abs_error").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(pool.has("tpot_median_bias")).isTrue();
      });
    }
    assertThat(json.at("/baseline/best").asText()).startsWith("equal-cost ");

    String md = Files.readString(out.resolve(ExperimentReport.RESULTS_MD));
    assertThat(md).contains("## 4 req/s", "## 20 req/s");
    assertThat(comparisonRows(md, "| round-robin |")).isEqualTo(2);
    assertThat(comparisonRows(md, "| cheapest-within-slo |")).isEqualTo(2);
    assertThat(comparisonRows(md, "| baseline: equal-cost ")).isEqualTo(2);
    assertThat(md).contains(ExperimentReport.PREDICTION_NOTE, "| run | pool | requests | TTFT abs error |");
    assertThat(rowsStartingWith(md, "| cheapest-within-slo | p5 |")).isEqualTo(2);
    assertThat(outcome.out()).contains("| round-robin |", "| cheapest-within-slo |");

    List<Path> svgs;
    try (Stream<Path> files = Files.list(out)) {
      svgs = files.filter(p -> p.getFileName().toString().matches("plot-.*\\.svg")).toList();
    }
    assertThat(svgs).extracting(p -> p.getFileName().toString())
        .contains("plot-goodput.svg", "plot-ttft-p99.svg", "plot-cost.svg");
    for (Path svg : svgs) {
      assertSelfContained(Files.readString(svg));
    }
    String html = Files.readString(out.resolve(ExperimentReport.REPORT_HTML));
    assertThat(html).contains("<svg", "<table", "cheapest-within-slo");
    assertSelfContained(html);
    assertThat(html).doesNotContain("http");
  }

  @Test
  void equalCostBaselineNeverCostsMoreThanTheMixedFleet() throws Exception {
    ExperimentSpec spec = parse(TINY);
    Experiment experiment = new Experiment(spec);
    double budget = spec.fleet().costPerHour();

    List<Fleet> fleets = experiment.baselineFleets();
    assertThat(fleets).hasSize(2);
    for (Fleet fleet : fleets) {
      assertThat(fleet.pools()).hasSize(1);
      Fleet.Pool pool = fleet.pools().get(0);
      assertThat(fleet.costPerHour()).isLessThanOrEqualTo(budget);
      // the floor: one more replica would exceed the budget
      assertThat(fleet.costPerHour() + pool.replicaCostPerHour()).isGreaterThan(budget);
    }
    // a budget below one replica still buys one
    assertThat(spec.fleet().singleAccelerator("p5.48xlarge", 0.01).pools().get(0).replicas()).isEqualTo(1);
  }

  @Test
  void theSameExperimentGivesTheSameResultsOnOneThreadOrTwo() throws Exception {
    ExperimentSpec spec = parse(TINY.replace("baseline: equal-cost-single-accelerator\n", ""));
    ExperimentResults one = new Experiment(spec).run(1, run -> {});
    ExperimentResults two = new Experiment(spec).run(2, run -> {});

    assertThat(one.policyRuns()).hasSize(4);
    assertThat(one.candidates()).isEmpty();
    for (int i = 0; i < one.policyRuns().size(); i++) {
      RunResult a = one.policyRuns().get(i);
      RunResult b = two.policyRuns().get(i);
      assertThat(b.name()).isEqualTo(a.name());
      assertThat(b.rate()).isEqualTo(a.rate());
      assertThat(b.summary().ttft()).isEqualTo(a.summary().ttft());
      assertThat(b.summary().pools()).isEqualTo(a.summary().pools());
    }
    // rates are run ascending whatever order the file gives
    assertThat(one.policyRuns().get(0).rate()).isEqualTo(4.0);
  }

  @Test
  void badInputNamesTheField() {
    assertError(TINY.replace("cheapest-within-slo]", "fastest]"), "policies[1]: fastest (expected: one of [round-robin");
    assertError(TINY.replace("model: llama-3.1-8b\n  requests", "model: gpt-9\n  requests"),
        "workload.model: gpt-9 (expected one of the fleet's models: [llama-3.1-8b])");
    assertError(TINY.replace("rates: [20, 4]\n", ""), "rates: missing (expected:");
    assertError(TINY.replace("rates: [20, 4]", "rates: [20, fast]"), "rates[1]: fast (expected: a number > 0)");
    assertError(TINY.replace("  slo: {ttft: 1s, tpot: 50ms}\n", ""), "workload.slo: missing (expected:");
    assertError(TINY.replace("ttft: 1s", "ttft: 1"), "workload.slo.ttft: 1 (expected: a duration");
    assertError(TINY.replace("inputLen: uniform:200:600", "inputLen: wide"), "workload.inputLen: wide (expected:");
    assertError(TINY.replace("  seed: 3\n", "  seed: 3\n  colour: blue\n"), "workload.colour: unknown field");
    assertError(TINY.replace("kind: emulated, accelerator: p5", "kind: upstream, accelerator: p5"),
        "fleet.models[0].pools[0].kind: upstream (expected: emulated");
    assertError(TINY.replace("accelerator: trn2.48xlarge", "accelerator: tpu-v9"),
        "fleet.models[0].pools[1]: accelerator: tpu-v9 (expected one of");
    assertError(TINY.replace("replicas: 2}", "replicas: 0}"), "fleet.models[0].pools[1].replicas: 0");
    assertError(TINY.replace("baseline: equal-cost-single-accelerator", "baseline: cheapest-gpu"),
        "baseline: cheapest-gpu (expected: equal-cost-single-accelerator");
    assertError(TINY.substring(0, TINY.indexOf("fleet:")), "fleet: missing (expected:");
    assertError("workload: [unclosed", "test.yaml: not valid YAML");
  }

  @Test
  void badFilesAndFlagsAreUsageErrorsThatNameTheField() throws Exception {
    CommandOutcome bad = CommandOutcome.of("experiment", file("bad.yaml", TINY.replace("round-robin,", "round-robin, round-robin,")).toString(),
        "--out", dir.resolve("o").toString());
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("experiment: policies[1]: round-robin (expected: each policy once)");

    CommandOutcome missingFile = CommandOutcome.of("experiment", "--out", dir.resolve("o").toString());
    assertThat(missingFile.status()).isEqualTo(2);
    assertThat(missingFile.err()).contains("FILE: missing");

    CommandOutcome missingOut = CommandOutcome.of("experiment", file("ok.yaml", TINY).toString());
    assertThat(missingOut.status()).isEqualTo(2);
    assertThat(missingOut.err()).contains("--out: missing");

    assertThat(CommandOutcome.of("experiment", "--help").out()).contains("--out DIR", "--parallel N");
  }

  private static void assertError(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  /** Rows of the comparison tables: the column after the run is the fleet's price, a number. */
  private static long comparisonRows(String md, String prefix) {
    return md.lines().filter(line -> line.startsWith(prefix) && line.matches("[^|]*\\|[^|]+\\| [0-9.]+ \\|.*")).count();
  }

  private static long rowsStartingWith(String md, String prefix) {
    return md.lines().filter(line -> line.startsWith(prefix)).count();
  }

  /** No attribute may point anywhere: no href or src at all, and no URL but the SVG namespace. */
  private static void assertSelfContained(String text) {
    assertThat(text).contains("<svg");
    assertThat(text).doesNotContainIgnoringCase("href").doesNotContainIgnoringCase(" src=");
    Matcher url = Pattern.compile("https?://[^\"'\\s)>]*").matcher(text);
    List<String> urls = new ArrayList<>();
    while (url.find()) {
      urls.add(url.group());
    }
    assertThat(urls).allMatch("http://www.w3.org/2000/svg"::equals);
  }
}
