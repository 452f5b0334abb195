package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.gateway.core.Gateway.PredictionError;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTrackerTest {

  private final PredictionTracker tracker = new PredictionTracker(List.of("m@a", "m@b"));

  @Test
  void reportsNoMediansBeforeAnyRequestFinished() {
    PredictionError error = tracker.errors("m@a");
    assertThat(error.samples()).isZero();
    assertThat(error.ttftSamples()).isZero();
    assertThat(error.ttftMedianAbsError()).isNull();
    assertThat(error.tpotMedianBias()).isNull();
  }

  @Test
  void mediansOfRelativeErrorAreSignedForBiasAndAbsoluteForSize() {
    // TTFT errors: +50%, -20%, -10%; TPOT errors: +10%, +30%, -40%
    tracker.record("m@a", 150, 100, 110, 100);
    tracker.record("m@a", 80, 100, 130, 100);
    tracker.record("m@a", 90, 100, 60, 100);
    PredictionError error = tracker.errors("m@a");
    assertThat(error.samples()).isEqualTo(3);
    assertThat(error.ttftSamples()).isEqualTo(3);
    assertThat(error.ttftMedianAbsError()).isCloseTo(0.2, within(1e-12));
    assertThat(error.ttftMedianBias()).isCloseTo(-0.1, within(1e-12));
    assertThat(error.tpotMedianAbsError()).isCloseTo(0.3, within(1e-12));
    assertThat(error.tpotMedianBias()).isCloseTo(0.1, within(1e-12));
    assertThat(tracker.errors("m@b").samples()).isZero();
  }

  @Test
  void aResponseOfOneTokenGivesATtftSampleOnly() {
    tracker.record("m@a", 120, 100, 50, Double.NaN);
    PredictionError error = tracker.errors("m@a");
    assertThat(error.samples()).isEqualTo(1);
    assertThat(error.ttftSamples()).isEqualTo(1);
    assertThat(error.ttftMedianBias()).isCloseTo(0.2, within(1e-12));
    assertThat(error.tpotSamples()).isZero();
    assertThat(error.tpotMedianAbsError()).isNull();
  }

  @Test
  void coversOnlyTheMostRecentWindowOfRequests() {
    for (int i = 0; i < PredictionTracker.WINDOW; i++) {
      tracker.record("m@b", 200, 100, 200, 100); // +100%
    }
    for (int i = 0; i < PredictionTracker.WINDOW; i++) {
      tracker.record("m@b", 95, 100, 105, 100); // -5%, +5%
    }
    PredictionError error = tracker.errors("m@b");
    assertThat(error.samples()).isEqualTo(2L * PredictionTracker.WINDOW);
    assertThat(error.window()).isEqualTo(PredictionTracker.WINDOW);
    assertThat(error.ttftSamples()).isEqualTo(PredictionTracker.WINDOW);
    assertThat(error.ttftMedianBias()).isCloseTo(-0.05, within(1e-12));
    assertThat(error.tpotMedianAbsError()).isCloseTo(0.05, within(1e-12));
  }

  @Test
  void aPoolItDoesNotKnowIsABrokenInvariant() {
    assertThatThrownBy(() -> tracker.record("m@c", 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pool: m@c (expected: one of [m@a, m@b])");
  }
}
