package dev.spillway.loadtest.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.loadtest.CommandOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code experiment --live}: every run through a real gateway over HTTP, in real time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExperimentLiveTest {

  /** One pool, two policies, one rate of 20 req/s, 40 requests (4 warm-up): about 2 s a run. */
  private static final String TINY_LIVE =
      "name: tiny-live\n"
          + "workload:\n"
          + "  model: llama-3.1-8b\n"
          + "  requests: 40\n"
          + "  warmup: 4\n"
          + "  inputLen: 200\n"
          + "  outputLen: 8\n"
          + "  seed: 5\n"
          + "  slo: {ttft: 2s, tpot: 100ms}\n"
          + "rates: [20]\n"
          + "policies: [round-robin, least-outstanding]\n"
          + "fleet:\n"
          + "  models:\n"
          + "    - name: llama-3.1-8b\n"
          + "      pools:\n"
          + "        - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 1}\n";

  @TempDir Path dir;

  private Path file(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void tinyLiveExperimentRunsEveryPolicyThroughTheGateway() throws Exception {
    Path out = dir.resolve("out");
    CommandOutcome outcome =
        CommandOutcome.of("experiment", file("tiny-live.yaml", TINY_LIVE).toString(), "--out", out.toString(), "--live", "--quiet");

    assertThat(outcome.status()).as(outcome.err()).isZero();
    assertThat(outcome.err()).contains("estimated real time 0.1 min");
    JsonNode json = new ObjectMapper().readTree(out.resolve(ExperimentReport.RESULTS_JSON).toFile());
    assertThat(json.get("mode").asText()).isEqualTo("live");
    JsonNode runs = json.get("runs");
    assertThat(runs).hasSize(2);
    assertThat(runs.findValuesAsText("policy")).containsExactly("round-robin", "least-outstanding");
    for (JsonNode run : runs) {
      assertThat(run.get("failed").asLong()).as(run.toString()).isZero();
      assertThat(run.get("completed").asLong()).as(run.toString()).isEqualTo(36);
      assertThat(run.get("rate").asDouble()).isEqualTo(20.0);
      assertThat(run.get("pool_share").size()).isEqualTo(1);
      // Live, the gateway's own tracker: every request of the run (warm-up included) finished in its pool.
      JsonNode predictions = run.get("prediction_error");
      assertThat(predictions.size()).isEqualTo(1);
      assertThat(predictions.elements().next().get("ttft_samples").asLong()).isGreaterThanOrEqualTo(36);
    }
    assertThat(Files.readString(out.resolve(ExperimentReport.RESULTS_MD))).startsWith("# Experiment (live): tiny-live");
    assertThat(Files.readString(out.resolve(ExperimentReport.REPORT_HTML))).contains("Spillway experiment (live): tiny-live");
    assertThat(outcome.out()).contains("ran 2 live runs");
  }

  @Test
  void aLiveExperimentOverTheTimeBudgetIsRefused() throws Exception {
    // 100000 requests at 20 req/s, twice: about 167 minutes of real time
    Path yaml = file("long.yaml", TINY_LIVE.replace("requests: 40", "requests: 100000"));
    CommandOutcome refused = CommandOutcome.of("experiment", yaml.toString(), "--out", dir.resolve("o").toString(), "--live");

    assertThat(refused.status()).isEqualTo(2);
    assertThat(refused.err()).contains("--max-live-minutes").contains("166.7 min");
    assertThat(Files.exists(dir.resolve("o"))).isFalse();

    // the small one is refused too once the budget is below its estimate (0.07 min)
    CommandOutcome tight = CommandOutcome.of("experiment", file("tiny.yaml", TINY_LIVE).toString(), "--out", dir.resolve("t").toString(),
        "--live", "--max-live-minutes", "0.05");
    assertThat(tight.status()).isEqualTo(2);
    assertThat(tight.err()).contains("exceeds --max-live-minutes 0.05");

    assertThat(CommandOutcome.of("experiment", "--help").out()).contains("--live", "--max-live-minutes");
  }
}
