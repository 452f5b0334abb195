package dev.spillway.loadtest.metrics;

import static dev.spillway.loadtest.metrics.Records.ms;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictionErrorsTest {

  /**
   * A streamed request intended at 0, bound at {@code boundMs}, first token at {@code firstMs}, last
   * at {@code lastMs}, predicted {@code ttftMs} from binding and {@code tpotMs}.
   */
  private static RequestRecord predicted(
      String pool, double boundMs, double firstMs, double lastMs, int tokens, double ttftMs, double tpotMs) {
    RequestRecord r = Records.streamed(0, 0, 0, firstMs, lastMs, tokens);
    return new RequestRecord(
        r.index(), r.model(), r.tenant(), r.tier(), r.promptTokens(), r.requestedOutputTokens(),
        r.intendedStartNanos(), r.sentNanos(), r.firstTokenNanos(), r.endNanos(), r.tokenNanos(),
        r.outputTokens(), null, pool, 0, 0, false, ms(boundMs), ms(ttftMs), ms(tpotMs));
  }

  @Test
  void measuresTtftFromBindingAndTpotAfterTheFirstToken() {
    // queued 50 ms, then 100 ms to the first token (predicted 120: +20%); 10 ms per token (predicted 9: -10%)
    RequestRecord r = predicted("m@a", 50, 150, 240, 10, 120, 9);
    assertThat(r.hasPrediction()).isTrue();
    assertThat(PredictionErrors.ttftError(r)).isCloseTo(0.2, within(1e-9));
    assertThat(PredictionErrors.tpotError(r)).isCloseTo(-0.1, within(1e-9));
  }

  @Test
  void mediansPerPoolOverMeasuredRequestsWithPredictions() {
    List<RequestRecord> records = List.of(
        predicted("m@a", 0, 100, 190, 10, 150, 10),    // TTFT +50%, TPOT 0%
        predicted("m@a", 0, 100, 190, 10, 80, 12),     // -20%, +20%
        predicted("m@a", 0, 100, 190, 10, 90, 5),      // -10%, -50%
        predicted("m@b", 0, 200, 200, 1, 220, 3),      // +10%; one token: no TPOT
        Records.asWarmup(predicted("m@b", 0, 100, 190, 10, 900, 90)),
        Records.withPool(Records.streamed(9, 0, 0, 100, 190, 10), "m@b", 0, 0), // no prediction (HTTP)
        Records.withPool(Records.failed(10, 0, 50, "http_503"), "m@a", 0, 0));

    Map<String, PredictionErrors> byPool = PredictionErrors.byPool(records);
    assertThat(byPool).containsOnlyKeys("m@a", "m@b");
    PredictionErrors a = byPool.get("m@a");
    assertThat(a.ttftSamples()).isEqualTo(3);
    assertThat(a.ttftMedianAbsError()).isCloseTo(0.2, within(1e-9));
    assertThat(a.ttftMedianBias()).isCloseTo(-0.1, within(1e-9));
    assertThat(a.tpotSamples()).isEqualTo(3);
    assertThat(a.tpotMedianAbsError()).isCloseTo(0.2, within(1e-9));
    assertThat(a.tpotMedianBias()).isCloseTo(0.0, within(1e-9));
    PredictionErrors b = byPool.get("m@b");
    assertThat(b.ttftSamples()).isEqualTo(1);
    assertThat(b.ttftMedianBias()).isCloseTo(0.1, within(1e-9));
    assertThat(b.tpotSamples()).isZero();
    assertThat(b.tpotMedianAbsError()).isNaN();

    PredictionErrors all = PredictionErrors.of(records);
    assertThat(all.ttftSamples()).isEqualTo(4);
    assertThat(all.ttftMedianAbsError()).isCloseTo(0.15, within(1e-9)); // 0.1, 0.1, 0.2, 0.5
  }

  @Test
  void recordsFromOutsideTheGatewayHaveNoPrediction() {
    RequestRecord http = Records.streamed(0, 0, 0, 100, 190, 10);
    assertThat(http.hasPrediction()).isFalse();
    assertThat(http.ttftFromBindingNanos()).isNaN();
    assertThat(PredictionErrors.of(List.of(http))).isEqualTo(PredictionErrors.NONE);
  }
}
