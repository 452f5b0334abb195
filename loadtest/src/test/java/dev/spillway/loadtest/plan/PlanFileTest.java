package dev.spillway.loadtest.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.emulator.AcceleratorProfile;
import dev.spillway.backends.emulator.PricingPlan;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.workload.Arrival;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlanFileTest {

  private static final Path TRACES = Path.of("traces").toAbsolutePath();

  private static final String VALID =
      "workload:\n"
          + "  trace: azure-code-2023.csv\n"
          + "  model: llama-3.3-70b\n"
          + "  speedup: 2\n"
          + "  tiers: {priority: 0.2, default: 0.8}\n"
          + "slo:\n"
          + "  priority: {ttft: 1s, tpot: 50ms, attainment: 0.99}\n"
          + "  default: {ttft: 3s, tpot: 100ms, attainment: 0.95}\n"
          + "candidates:\n"
          + "  - {accelerator: trn2.48xlarge, tp: 64, max: 16}\n"
          + "  - {accelerator: inf2.48xlarge, tp: 24, batchSize: 1}\n"
          + "  - {accelerator: p5.48xlarge, dtype: fp8, tp: 2}\n"
          + "policies: [least-outstanding, cheapest-within-slo]\n";

  private static PlanSpec parse(String yaml) {
    return PlanFile.parse(yaml, TRACES, "example", "example.yaml");
  }

  @Test
  void readsTheShippedTraceTheGoalsAndTheCandidates() {
    PlanSpec spec = parse(VALID);

    assertThat(spec.name()).isEqualTo("example");
    Arrival.Replay replay = (Arrival.Replay) spec.workload().arrival();
    assertThat(replay.trace().entries()).hasSize(8819);
    assertThat(replay.timeScale()).isEqualTo(0.5);
    assertThat(spec.tiers()).containsExactly(ServiceTier.PRIORITY, ServiceTier.DEFAULT);
    assertThat(spec.slo().get(ServiceTier.PRIORITY).goals().ttft()).isEqualTo(Duration.ofSeconds(1));
    assertThat(spec.slo().get(ServiceTier.DEFAULT).attainment()).isEqualTo(0.95);
    assertThat(spec.candidates()).extracting(Candidate::name)
        .containsExactly("trn2.48xlarge-tp64", "inf2.48xlarge-tp24-b1", "p5.48xlarge-fp8-tp2");
    assertThat(spec.limit(0)).isEqualTo(16);
    assertThat(spec.limit(2)).isEqualTo(64);
    // a p5.48xlarge replica at tp=2 is a quarter of the instance
    assertThat(spec.candidates().get(2).replicaCostPerHour()).isCloseTo(55.04 / 4, org.assertj.core.data.Offset.offset(1e-9));
    // the goals become the routing objective of their tier
    var model = spec.config(new Composition(new int[] {1, 0, 2}), "cheapest-within-slo").models().get(0);
    assertThat(model.routing()).isEqualTo("cheapest-within-slo");
    assertThat(model.slos().get(ServiceTier.PRIORITY).tpot()).isEqualTo(Duration.ofMillis(50));
    assertThat(model.pools()).extracting(p -> p.name() + "×" + p.replicas())
        .containsExactly("trn2.48xlarge-tp64×1", "p5.48xlarge-fp8-tp2×2");
  }

  @Test
  void everyBadValueIsAnErrorNamingItsField() {
    assertError(VALID.replace("  speedup: 2\n", "  speedup: 2\n  rate: 3\n"), "workload.rate: unknown field");
    assertError(VALID.replace("trace: azure-code-2023.csv", "trace: missing.csv"), "workload.trace: missing.csv");
    assertError(VALID.replace("priority: {ttft: 1s, tpot: 50ms, attainment: 0.99}", "gold: {ttft: 1s, attainment: 0.99}"),
        "slo.gold: unknown tier");
    assertError(VALID.replace(", attainment: 0.99}", "}"), "slo.priority.attainment: missing");
    assertError(VALID.replace("attainment: 0.95", "attainment: 1.5"), "slo.default.attainment: 1.5");
    assertError(VALID.replace("max: 16", "replicas: 2"), "candidates[0].replicas: 2");
    assertError(VALID.replace("tp: 64, max: 16", "tp: 1000"), "candidates[0]");
    assertError(VALID.replace("accelerator: p5.48xlarge", "accelerator: p9"), "candidates[2]");
    assertError(VALID.replace("max: 16", "max: 0"), "candidates[0].max: 0");
    assertError(VALID.replace("dtype: fp8, tp: 2", "tp: 64, max: 3").replace("p5.48xlarge", "trn2.48xlarge"),
        "candidates[2]: {");
    assertError(VALID.replace("least-outstanding", "fastest"), "policies[0]: fastest");
    assertError(VALID + "pricing: cheap\n", "pricing: cheap");
    assertError(VALID.replace("  trace: azure-code-2023.csv\n", ""), "workload.speedup: 2 (expected: speedup only with a trace)");
  }

  @Test
  void pricesEachReplicaAsItsShareOfTheInstanceUnderThePlansPricing() {
    PlanSpec reserved = parse(VALID + "pricing: reserved-3y\n");
    AcceleratorProfile p5 = reserved.profiles().accelerator("p5.48xlarge");

    assertThat(reserved.pricing()).isEqualTo(PricingPlan.RESERVED_3Y);
    assertThat(reserved.candidates().get(2).replicaCostPerHour())
        .isCloseTo(p5.pricePerHour(PricingPlan.RESERVED_3Y) / 4, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p5.pricePerHour(PricingPlan.RESERVED_3Y)).isLessThan(p5.pricePerHour(PricingPlan.ON_DEMAND));
  }

  @Test
  void distributionsInsteadOfATrace() {
    PlanSpec spec =
        parse(VALID.replace("  trace: azure-code-2023.csv\n", "  rate: 3\n  requests: 500\n  inputLen: 1000\n")
            .replace("  speedup: 2\n", ""));

    assertThat(spec.workloadSource()).isEqualTo("distributions");
    assertThat(spec.workload().requests()).isEqualTo(500);
    assertThat(spec.workload().arrival()).isInstanceOf(Arrival.Poisson.class);
  }

  private static void assertError(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
