package dev.spillway.loadtest.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetSearchTest {

  /** Three candidates of up to three replicas each: 63 fleets, few enough to simulate every one. */
  static final String SMALL =
      "name: small\n"
          + "workload:\n"
          + "  model: llama-3.1-8b\n"
          + "  rate: 40\n"
          + "  requests: 300\n"
          + "  inputLen: lognormal:800:0.6\n"
          + "  outputLen: lognormal:100:0.5\n"
          + "  tiers: {priority: 0.3, default: 0.7}\n"
          + "  seed: 7\n"
          + "slo:\n"
          + "  priority: {ttft: 500ms, tpot: 40ms, attainment: 0.95}\n"
          + "  default: {ttft: 2s, tpot: 80ms, attainment: 0.9}\n"
          + "candidates:\n"
          + "  - {accelerator: p4de.24xlarge, tp: 1, max: 3}\n"
          + "  - {accelerator: p5.48xlarge, tp: 1, max: 3}\n"
          + "  - {accelerator: trn2.48xlarge, tp: 8, max: 3}\n"
          + "policies: [least-outstanding, cheapest-within-slo]\n";

  static PlanSpec spec(String yaml) {
    return PlanFile.parse(yaml, Path.of("."), "test", "test.yaml");
  }

  /** The first 600 requests of the shipped trace, twice as fast, for an 8B model: a mix is cheapest. */
  static final String TRACE_MIX =
      "workload:\n"
          + "  trace: " + Path.of("traces/azure-code-2023.csv").toAbsolutePath() + "\n"
          + "  model: llama-3.1-8b\n"
          + "  speedup: 2\n"
          + "  requests: 600\n"
          + "  tiers: {priority: 0.2, default: 0.8}\n"
          + "  seed: 1\n"
          + "slo:\n"
          + "  priority: {ttft: 1s, tpot: 50ms, attainment: 0.99}\n"
          + "  default: {ttft: 3s, tpot: 100ms, attainment: 0.95}\n"
          + "candidates:\n"
          + "  - {accelerator: p4de.24xlarge, tp: 1, max: 4}\n"
          + "  - {accelerator: p5.48xlarge, dtype: fp8, tp: 1, max: 4}\n"
          + "  - {accelerator: trn2.48xlarge, tp: 8, max: 4}\n"
          + "policies: [least-outstanding, shortest-predicted-latency]\n";

  @Test
  void findsTheCheapestFleetThatAnExhaustiveSearchFinds() throws InterruptedException {
    assertMatchesExhaustiveSearch(spec(SMALL), 3);
  }

  @Test
  void findsTheCheapestMixThatAnExhaustiveSearchFinds() throws InterruptedException {
    PlanResult result = assertMatchesExhaustiveSearch(spec(TRACE_MIX), 4);

    assertThat(result.best().composition().pools()).isGreaterThan(1);
    assertThat(result.saving()).isGreaterThan(0);
  }

  /** Simulates every fleet of up to {@code max} replicas of each of three candidates under every policy. */
  private static PlanResult assertMatchesExhaustiveSearch(PlanSpec spec, int max) throws InterruptedException {
    PlanResult result = new Planner(spec).plan(2, e -> {});

    TrialRunner runner = new TrialRunner(spec);
    List<Composition> meeting = new ArrayList<>();
    int fleets = 0;
    for (int a = 0; a <= max; a++) {
      for (int b = 0; b <= max; b++) {
        for (int c = 0; c <= max; c++) {
          Composition composition = new Composition(new int[] {a, b, c});
          if (composition.pools() == 0) {
            continue;
          }
          fleets++;
          boolean meets = false;
          for (String policy : spec.policies()) {
            meets |= runner.run(composition, policy).meets();
          }
          if (meets) {
            meeting.add(composition);
          }
        }
      }
    }
    double cheapest =
        meeting.stream().mapToDouble(m -> m.costPerHour(spec.candidates())).min().orElseThrow();

    assertThat(result.best()).isNotNull();
    assertThat(result.best().costPerHour()).isEqualTo(cheapest);
    assertThat(meeting).contains(result.best().composition());
    assertThat(result.evaluations().size()).isLessThan(fleets);
    return result;
  }

  @Test
  void cheapestOfEachAcceleratorAloneIsTheFewestReplicasThatMeet() throws InterruptedException {
    PlanSpec spec = spec(SMALL);
    PlanResult result = new Planner(spec).plan(1, e -> {});
    TrialRunner runner = new TrialRunner(spec);

    for (int i = 0; i < spec.candidates().size(); i++) {
      Choice single = result.singles().get(i);
      int fewest = 0;
      for (int n = 1; n <= 3 && fewest == 0; n++) {
        Composition alone = Composition.single(3, i, n);
        for (String policy : spec.policies()) {
          if (runner.run(alone, policy).meets()) {
            fewest = n;
          }
        }
      }
      if (fewest == 0) {
        assertThat(single).as(spec.candidates().get(i).name()).isNull();
      } else {
        assertThat(single.composition()).isEqualTo(Composition.single(3, i, fewest));
      }
    }
    assertThat(result.bestSingle()).isNotNull();
    assertThat(result.saving()).isEqualTo(1 - result.best().costPerHour() / result.bestSingle().costPerHour());
  }

  @Test
  void theVerificationRunRepeatsTheSearchedRunAndCountsEveryRequestOnce() throws InterruptedException {
    PlanSpec spec = spec(SMALL);
    PlanResult result = new Planner(spec).plan(2, e -> {});
    Choice best = result.best();
    Trial searched =
        result.evaluations().stream()
            .filter(e -> e.composition().equals(best.composition()))
            .findFirst().orElseThrow().best();

    assertThat(best.verified().policy()).isEqualTo(searched.policy());
    assertThat(best.verified().attainment()).isEqualTo(searched.attainment());
    assertThat(best.verified().outputTokens()).isEqualTo(searched.outputTokens());
    assertThat(best.verified().meets()).isTrue();
    long shared = best.shares().counts().values().stream().flatMapToLong(java.util.Arrays::stream).sum();
    assertThat(shared).isEqualTo(300);
    assertThat(best.shares().counts().keySet())
        .containsExactlyInAnyOrderElementsOf(best.composition().fleet(spec.candidates()).keySet());
  }

  @Test
  void theResultDoesNotDependOnTheNumberOfThreads() throws InterruptedException {
    PlanSpec spec = spec(SMALL);
    PlanResult one = new Planner(spec).plan(1, e -> {});
    PlanResult three = new Planner(spec).plan(3, e -> {});

    assertThat(three.best().composition()).isEqualTo(one.best().composition());
    assertThat(three.evaluations().stream().map(Evaluation::composition).toList())
        .isEqualTo(one.evaluations().stream().map(Evaluation::composition).toList());
    assertThat(three.best().verified().attainment()).isEqualTo(one.best().verified().attainment());
  }

  @Test
  void compositionsBelowOneThatMissedAreSkippedNotSimulated() throws InterruptedException {
    PlanSpec spec = spec(SMALL);
    PlanResult result = new Planner(spec).plan(2, e -> {});
    List<Composition> misses =
        result.evaluations().stream().filter(e -> !e.meets()).map(Evaluation::composition).toList();
    List<Composition> meets =
        result.evaluations().stream().filter(Evaluation::meets).map(Evaluation::composition).toList();

    // every fleet cheaper than the answer was simulated or lies below one that missed
    for (int a = 0; a <= 3; a++) {
      for (int b = 0; b <= 3; b++) {
        for (int c = 0; c <= 3; c++) {
          Composition composition = new Composition(new int[] {a, b, c});
          if (composition.pools() == 0
              || composition.costPerHour(spec.candidates()) >= result.best().costPerHour()) {
            continue;
          }
          boolean simulated = misses.contains(composition) || meets.contains(composition);
          boolean belowMiss = misses.stream().anyMatch(composition::below);
          assertThat(simulated || belowMiss).as(composition.describe(spec.candidates())).isTrue();
        }
      }
    }
    assertThat(result.monotonicityViolations()).isZero();
  }
}
