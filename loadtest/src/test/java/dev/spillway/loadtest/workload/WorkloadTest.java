package dev.spillway.loadtest.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.backends.spi.ServiceTier;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void lengthSpecsParseAndStayInRange() {
    SplittableRandom random = new SplittableRandom(1);
    assertThat(LengthSpec.parse("512", "--input-len").sample(random)).isEqualTo(512);
    LengthSpec uniform = LengthSpec.parse("uniform:128:1024", "--input-len");
    LengthSpec normal = LengthSpec.parse("normal:5:50", "--input-len");
    LengthSpec lognormal = LengthSpec.parse("lognormal:512:0.5", "--input-len");
    double lognormalSum = 0;
    for (int i = 0; i < 20_000; i++) {
      assertThat(uniform.sample(random)).isBetween(128, 1024);
      assertThat(normal.sample(random)).isGreaterThanOrEqualTo(1);
      lognormalSum += lognormal.sample(random);
    }
    assertThat(lognormalSum / 20_000).isCloseTo(512, within(512 * 0.03));
    assertThat(uniform.text()).isEqualTo("uniform:128:1024");
  }

  @Test
  void aBadLengthSpecNamesTheFlagAndTheForms() {
    assertThatThrownBy(() -> LengthSpec.parse("uniform:9", "--output-len"))
        .hasMessageContaining("--output-len: uniform:9")
        .hasMessageContaining("uniform:MIN:MAX");
    assertThatThrownBy(() -> LengthSpec.parse("0", "--input-len")).hasMessageContaining("--input-len: 0");
  }

  @Test
  void mixesPickInProportionToTheirWeights() {
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Poisson(100), "m")
            .requests(20_000)
            .models(Mix.parse("big=7,small=3", "--models"))
            .tiers(Mix.parse("priority=0.2,default=0.8", "--tiers").map(ServiceTier::fromWire))
            .tenants(Mix.parse("a,b", "--tenants"))
            .build();

    List<PlannedRequest> plan = Workload.of(options).plan();
    double big = plan.stream().filter(r -> r.model().equals("big")).count() / 20_000.0;
    double priority = plan.stream().filter(r -> r.tier() == ServiceTier.PRIORITY).count() / 20_000.0;
    double tenantA = plan.stream().filter(r -> r.tenant().equals("a")).count() / 20_000.0;

    assertThat(big).isCloseTo(0.7, within(0.015));
    assertThat(priority).isCloseTo(0.2, within(0.015));
    assertThat(tenantA).isCloseTo(0.5, within(0.015));
  }

  @Test
  void aPrefixRatioPutsThatShareOfRequestsIntoTheGroups() {
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Poisson(100), "m").requests(10_000).prefixRatio(0.3).prefixGroups(3).build();

    List<PlannedRequest> plan = Workload.of(options).plan();
    long grouped = plan.stream().filter(r -> r.prefixGroup() >= 0).count();

    assertThat(grouped / 10_000.0).isCloseTo(0.3, within(0.015));
    assertThat(plan).allSatisfy(r -> assertThat(r.prefixGroup()).isBetween(-1, 2));
  }

  @Test
  void warmupMarksTheFirstRequestsOrTheFirstSeconds() {
    WorkloadOptions byCount =
        WorkloadOptions.builder(new Arrival.Constant(10), "m").requests(20).warmup(Warmup.requests(5)).build();
    WorkloadOptions byTime =
        WorkloadOptions.builder(new Arrival.Constant(10), "m")
            .requests(20)
            .warmup(Warmup.duration(Duration.ofMillis(750)))
            .build();

    assertThat(Workload.of(byCount).plan()).filteredOn(PlannedRequest::warmup).hasSize(5);
    List<PlannedRequest> timed = Workload.of(byTime).plan();
    assertThat(timed).filteredOn(PlannedRequest::warmup).hasSize(8); // 0, 100, ..., 700 ms
    assertThat(timed.get(8).warmup()).isFalse();
  }

  @Test
  void aDurationLimitsOpenLoopArrivals() {
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Constant(10), "m").requests(0).duration(Duration.ofSeconds(2)).build();

    List<PlannedRequest> plan = Workload.of(options).plan();

    assertThat(plan).hasSize(20);
    assertThat(plan.get(19).intendedStartNanos()).isLessThan(2_000_000_000L);
  }

  @Test
  void aClosedLoopHasNoIntendedStartsAndMayBeUnbounded() {
    WorkloadOptions byTime =
        WorkloadOptions.builder(new Arrival.ClosedLoop(4), "m").requests(0).duration(Duration.ofSeconds(5)).build();
    WorkloadOptions byCount = WorkloadOptions.builder(new Arrival.ClosedLoop(4), "m").requests(10).build();

    assertThat(Workload.of(byTime).bounded()).isFalse();
    assertThatThrownBy(() -> Workload.of(byTime).plan()).isInstanceOf(IllegalStateException.class);
    assertThat(Workload.of(byCount).plan()).hasSize(10).allSatisfy(r -> assertThat(r.intendedStartNanos()).isEqualTo(-1));
  }

  @Test
  void anAzureTraceReplaysRelativeToItsFirstTimestampWithItsLengths() throws Exception {
    String csv =
        "TIMESTAMP,ContextTokens,GeneratedTokens\n"
            + "2023-11-16 18:15:46.6805900,374,44\n"
            + "2023-11-16 18:15:47.1805900,396,109\n"
            + "2023-11-16 18:15:50.0000000,879,0\n";
    Trace trace = Trace.parseAzureCsv(new StringReader(csv), "code.csv");
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Replay(trace, 0.5), "m")
            .requests(0)
            .inputLength(LengthSpec.TRACE)
            .outputLength(LengthSpec.TRACE)
            .build();

    List<PlannedRequest> plan = Workload.of(options).plan();

    assertThat(plan).extracting(PlannedRequest::intendedStartNanos)
        .containsExactly(0L, 250_000_000L, 1_659_705_000L);
    assertThat(plan).extracting(PlannedRequest::promptTokens).containsExactly(374, 396, 879);
    assertThat(plan).extracting(PlannedRequest::outputTokens).containsExactly(44, 109, 1);
  }

  @Test
  void aTraceWithIsoTimestampsAndOffsetsParses() throws Exception {
    String csv =
        "TIMESTAMP,ContextTokens,GeneratedTokens\n"
            + "2024-05-10T00:00:00.5+00:00,10,20\n"
            + "2024-05-10T00:00:01.25+00:00,30,40\n";

    Trace trace = Trace.parseAzureCsv(new StringReader(csv), "week.csv");

    assertThat(trace.entries()).extracting(Trace.Entry::offsetNanos).containsExactly(0L, 750_000_000L);
  }

  @Test
  void aBadTraceRowNamesTheFileLineAndColumn() {
    String csv = "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,1,2\nyesterday,1,2\n";

    assertThatThrownBy(() -> Trace.parseAzureCsv(new StringReader(csv), "t.csv"))
        .hasMessageContaining("t.csv:3: TIMESTAMP: yesterday");
  }

  @Test
  void lengthsFromATraceNeedATrace() {
    assertThatThrownBy(
            () -> WorkloadOptions.builder(new Arrival.Poisson(1), "m").inputLength(LengthSpec.TRACE).build())
        .isInstanceOf(IllegalArgumentException.class);
  }
}
