package dev.spillway.loadtest.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.loadtest.CommandOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** {@link FleetSearchTest#TRACE_MIX} as a file: 600 requests of the shipped trace where a mix is cheapest. */
  private Path tracePlan() throws IOException {
    Path file = dir.resolve("trace-plan.yaml");
    Files.writeString(file, FleetSearchTest.TRACE_MIX);
    return file;
  }

  @Test
  void writesThePlanWithTheBestTheBestSingleAndOneEntryPerAccelerator() throws IOException {
    CommandOutcome run = CommandOutcome.of("plan", tracePlan().toString(), "--out", dir.resolve("out").toString(), "--parallel", "2");

    assertThat(run.status()).as(run.err()).isZero();
    JsonNode plan = JSON.readTree(dir.resolve("out/plan.json").toFile());
    assertThat(plan.get("best").get("meets_slo").asBoolean()).isTrue();
    for (String field : new String[] {"fleet", "policy", "fleet_cost_per_hour_usd", "cost_per_1m_output_tokens_usd", "slo_attainment"}) {
      assertThat(plan.get("best").has(field)).as(field).isTrue();
      assertThat(plan.get("best_single").has(field)).as(field).isTrue();
    }
    assertThat(plan.get("best").get("requests").asInt()).isEqualTo(600);
    assertThat(plan.get("best").get("slo_attainment").get("priority").asDouble()).isGreaterThanOrEqualTo(0.99);
    assertThat(plan.get("singles")).hasSize(3);
    assertThat(plan.get("singles").get(0).get("accelerator").asText()).isEqualTo("p4de.24xlarge");
    double best = plan.get("best").get("fleet_cost_per_hour_usd").asDouble();
    double single = plan.get("best_single").get("fleet_cost_per_hour_usd").asDouble();
    assertThat(plan.get("saving").asDouble()).isEqualTo(1 - best / single);
    assertThat(plan.get("tried").size()).isEqualTo(plan.get("search").get("fleets_simulated").asInt());
    assertThat(Files.readString(dir.resolve("out/plan.md"))).contains("| **best** |").contains("p4de.24xlarge only");
    assertThat(Files.readString(dir.resolve("out/plot-cost-attainment.svg"))).startsWith("<svg").contains("<circle");
    assertThat(Files.readString(dir.resolve("out/plot-pool-share.svg"))).startsWith("<svg").contains("<polygon");
    assertThat(run.out()).contains("| **best** |");
    // routing's predictions against outcomes, per pool of the best fleet
    JsonNode errors = plan.get("best").get("prediction_error");
    assertThat(errors.size()).isEqualTo(plan.get("best").get("fleet").size());
    errors.forEach(e -> assertThat(e.get("ttft_samples").asInt()).isPositive());
    assertThat(run.err()).contains("[1] ");
  }

  @Test
  void weighsAReservedBasePlusAnAutoscaledBurstAgainstTheBestFleet() throws IOException {
    Path file = dir.resolve("burst.yaml");
    Files.writeString(file, Files.readString(tracePlan())
        + "burst: {base: reserved-3y, burst: on-demand, metric: queue-depth, target: 2, interval: 5s}\n");

    CommandOutcome run = CommandOutcome.of("plan", file.toString(), "--out", dir.resolve("out").toString(), "--quiet");

    assertThat(run.status()).as(run.err()).isZero();
    JsonNode plan = JSON.readTree(dir.resolve("out/plan.json").toFile());
    JsonNode burst = plan.get("burst");
    assertThat(burst.get("base_pricing").asText()).isEqualTo("reserved-3y");
    JsonNode best = plan.get("best").get("fleet");
    int bases = 1;
    for (JsonNode count : best) {
      bases *= count.asInt() + 1;
    }
    // every base from nothing to one short of the best fleet, the empty one and the whole fleet aside
    assertThat(burst.get("tried").size()).isEqualTo(bases - 2);
    for (JsonNode t : burst.get("tried")) {
      assertThat(t.get("max")).isEqualTo(best);
      double total = t.get("base_cost_per_hour_usd").asDouble() + t.get("burst_cost_per_hour_usd").asDouble();
      assertThat(t.get("mean_cost_per_hour_usd").asDouble()).isCloseTo(total, org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(burst.get("best_fixed_at_base_pricing_usd_per_hour").asDouble())
        .isLessThan(plan.get("best").get("fleet_cost_per_hour_usd").asDouble());
    assertThat(Files.readString(dir.resolve("out/plan.md"))).contains("A reserved base plus an autoscaled burst");
  }

  @Test
  void theSameSeedGivesTheSamePlanOnAnyNumberOfThreads() throws IOException {
    Path file = tracePlan();
    assertThat(CommandOutcome.of("plan", file.toString(), "--out", dir.resolve("a").toString(), "--parallel", "1", "--quiet").status()).isZero();
    assertThat(CommandOutcome.of("plan", file.toString(), "--out", dir.resolve("b").toString(), "--parallel", "3", "--quiet").status()).isZero();

    JsonNode a = JSON.readTree(dir.resolve("a/plan.json").toFile());
    JsonNode b = JSON.readTree(dir.resolve("b/plan.json").toFile());
    ((ObjectNode) a.get("search")).remove("wall_seconds");
    ((ObjectNode) b.get("search")).remove("wall_seconds");
    assertThat(b).isEqualTo(a);
  }

  @Test
  void aBadPlanIsAUsageErrorNamingTheField() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, Files.readString(tracePlan()).replace("attainment: 0.95", "attainment: 2"));

    CommandOutcome run = CommandOutcome.of("plan", file.toString(), "--out", dir.resolve("out").toString());

    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err()).contains("slo.default.attainment: 2 (expected: ");
    assertThat(CommandOutcome.of("plan", "--out", dir.toString()).err()).contains("FILE: missing");
    assertThat(CommandOutcome.of("plan", file.toString()).err()).contains("--out: missing");
  }
}
