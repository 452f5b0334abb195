package dev.spillway.loadtest.metrics;

import static dev.spillway.loadtest.metrics.Records.failed;
import static dev.spillway.loadtest.metrics.Records.ms;
import static dev.spillway.loadtest.metrics.Records.streamed;
import static dev.spillway.loadtest.metrics.Records.withPool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

  @Test
  void latenciesFollowVllmDefinitionsFromTheIntendedStart() {
    List<RequestRecord> records = List.of(
        // intended 0, sent 5 ms late, first token at 100, 11 tokens to 200: TTFT 100, TPOT 10, E2E 200
        streamed(0, 0, 5, 100, 200, 11),
        // TTFT 50, 21 tokens over 400 ms: TPOT 20, E2E 450
        streamed(1, 1000, 1000, 1050, 1450, 21),
        // one token: no TPOT, no gaps
        streamed(2, 2000, 2000, 2030, 2030, 1));

    Summary s = Summary.of(records, SloGoals.NONE, ms(2030));

    assertThat(s.completed()).isEqualTo(3);
    assertThat(s.ttft().meanMs()).isCloseTo((100 + 50 + 30) / 3.0, within(1e-6));
    assertThat(s.tpot().count()).isEqualTo(2);
    assertThat(s.tpot().meanMs()).isCloseTo(15, within(1e-6));
    assertThat(s.itl().count()).isEqualTo(10 + 20); // pooled gaps
    assertThat(s.itl().meanMs()).isCloseTo((10 * 10 + 20 * 20) / 30.0, within(1e-6));
    assertThat(s.e2el().maxMs()).isCloseTo(450, within(1e-6));
    assertThat(s.totalOutputTokens()).isEqualTo(33);
    assertThat(s.totalInputTokens()).isEqualTo(300);
    assertThat(s.outputThroughput()).isCloseTo(33 / 2.03, within(1e-6));
    assertThat(s.totalTokenThroughput()).isCloseTo(333 / 2.03, within(1e-6));
    assertThat(s.requestThroughput()).isCloseTo(3 / 2.03, within(1e-6));
  }

  @Test
  void failuresCountByKindAndWarmupIsExcluded() {
    List<RequestRecord> records = List.of(
        Records.asWarmup(streamed(0, 0, 0, 5000, 6000, 2)),
        streamed(1, 0, 0, 100, 200, 2),
        failed(2, 10, 20, "http_429"),
        failed(3, 20, 30, "http_429"),
        failed(4, 30, 5030, "timeout"));

    Summary s = Summary.of(records, SloGoals.NONE, ms(1000));

    assertThat(s.warmupExcluded()).isEqualTo(1);
    assertThat(s.completed()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(3);
    assertThat(s.errors()).containsExactly(
        java.util.Map.entry("http_429", 2L), java.util.Map.entry("timeout", 1L));
    assertThat(s.ttft().maxMs()).isCloseTo(100, within(1e-6)); // the warm-up's 5 s is not in it
    assertThat(Summary.measuredDurationNanos(records)).isEqualTo(ms(5030));
  }

  @Test
  void goodputCountsRequestsMeetingEveryGivenObjective() {
    List<RequestRecord> records = List.of(
        streamed(0, 0, 0, 100, 200, 11), // TTFT 100, TPOT 10, E2E 200: good
        streamed(1, 0, 0, 400, 500, 11), // TTFT too slow
        streamed(2, 0, 0, 100, 600, 11), // TPOT 50: too slow
        streamed(3, 0, 0, 100, 100, 1), // one token: no TPOT, good
        failed(4, 0, 10, "connection"));
    SloGoals goals = new SloGoals(Duration.ofMillis(300), Duration.ofMillis(20), null);

    Summary s = Summary.of(records, goals, ms(2000));

    assertThat(s.goodRequests()).isEqualTo(2);
    assertThat(s.requestGoodput()).isCloseTo(1.0, within(1e-9));
    assertThat(Summary.of(records, new SloGoals(null, null, Duration.ofMillis(150)), ms(2000)).goodRequests())
        .isEqualTo(1);
  }

  @Test
  void costsPriceAndPoolSharesAddUp() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      records.add(withPool(streamed(i, 0, 0, 10, 20, 10), i < 3 ? "trn2" : "h100", 0.001, 0.003));
    }
    records.add(streamed(4, 0, 0, 10, 20, 10));

    Summary s = Summary.of(records, SloGoals.NONE, ms(1000));

    assertThat(s.costs().totalCostUsd()).isCloseTo(0.004, within(1e-12));
    assertThat(s.costs().totalPriceUsd()).isCloseTo(0.012, within(1e-12));
    assertThat(s.costs().costPerMillionOutputTokensUsd()).isCloseTo(0.004 / 50 * 1e6, within(1e-6));
    assertThat(s.pools()).containsOnlyKeys("h100", "trn2", Summary.UNKNOWN_POOL);
    assertThat(s.pools().get("trn2").share()).isCloseTo(0.6, within(1e-9));
    assertThat(s.pools().get("trn2").costUsd()).isCloseTo(0.003, within(1e-12));
  }

  @Test
  void aDriverThatSendsLateIsFlaggedBehindSchedule() {
    List<RequestRecord> onTime = new ArrayList<>();
    List<RequestRecord> late = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      double intended = i * 20;
      onTime.add(streamed(i, intended, intended + 1, intended + 50, intended + 60, 2));
      late.add(streamed(i, intended, intended + (i % 10 == 0 ? 40 : 1), intended + 90, intended + 100, 2));
    }

    Summary.ScheduleLag good = Summary.of(onTime, SloGoals.NONE, ms(4000)).scheduleLag();
    Summary.ScheduleLag bad = Summary.of(late, SloGoals.NONE, ms(4000)).scheduleLag();

    assertThat(good.behindSchedule()).isFalse();
    assertThat(good.p99Ms()).isCloseTo(1, within(0.01));
    assertThat(good.meanInterArrivalMs()).isCloseTo(20, within(1e-9));
    assertThat(good.thresholdMs()).isEqualTo(10);
    assertThat(bad.behindSchedule()).isTrue();
    assertThat(bad.maxMs()).isCloseTo(40, within(0.05));
  }

  @Test
  void peakConcurrencyAndPeakTokensPerSecondAreMeasured() {
    List<RequestRecord> records = List.of(
        streamed(0, 0, 0, 100, 900, 50),
        streamed(1, 100, 100, 200, 800, 50),
        streamed(2, 950, 950, 1000, 1500, 20));

    Summary s = Summary.of(records, SloGoals.NONE, ms(1500));

    assertThat(s.maxConcurrentRequests()).isEqualTo(2);
    assertThat(s.maxOutputTokensPerSecond()).isCloseTo(100, within(1e-9));
  }
}
