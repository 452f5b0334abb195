package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.backends.spi.ServiceTier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The queue's measured pace: steady across bursts, and stretched for tiers that others go before. */
class DrainPaceTest {

  private static final long MS = 1_000_000L;

  @Test
  void burstsOfBindingsAverageToTheirRate() {
    DrainPace pace = new DrainPace();
    // Thirty bindings at once every 300 ms: 100 a second, 10 ms apart on average.
    long now = 0;
    for (int step = 0; step < 40; step++) {
      for (int i = 0; i < 30; i++) {
        pace.bound(now, ServiceTier.DEFAULT, 100);
      }
      now += 300 * MS;
    }
    assertThat(pace.known()).isTrue();
    assertThat(pace.intervalNanos(ServiceTier.DEFAULT) / MS).isCloseTo(10.0, within(1.0));
    assertThat(pace.nanosFor(ServiceTier.DEFAULT, 50) / MS).isBetween(450L, 550L);
  }

  @Test
  void aTierWaitsLongerForTheBindingsTheTiersAboveItTake() {
    DrainPace pace = new DrainPace();
    long now = 0;
    for (int i = 0; i < 1000; i++) {
      pace.bound(now, i % 4 == 0 ? ServiceTier.PRIORITY : ServiceTier.DEFAULT, 10);
      now += 10 * MS;
    }
    assertThat(pace.intervalNanos(ServiceTier.PRIORITY) / MS).isCloseTo(10.0, within(0.5));
    // Priority takes a quarter of the bindings: default gets one every 13.3 ms, flex the same.
    assertThat(pace.intervalNanos(ServiceTier.DEFAULT) / MS).isCloseTo(13.3, within(1.0));
  }

  @Test
  void idleTimeIsNotCountedAndNothingIsKnownBeforeTheQueueWasBusy() {
    DrainPace pace = new DrainPace();
    for (int i = 0; i < 100; i++) {
      pace.bound(i * 1_000 * MS, ServiceTier.DEFAULT, 0); // one a second, the queue empty after each
    }
    assertThat(pace.known()).isFalse();
    assertThat(pace.nanosFor(ServiceTier.DEFAULT, 1000)).isZero();
    assertThat(DrainPace.retryAfter(0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(DrainPace.retryAfter(2_500 * MS)).isEqualTo(Duration.ofSeconds(3));
    assertThat(DrainPace.retryAfter(Long.MAX_VALUE / 2)).isEqualTo(Duration.ofSeconds(60));
  }
}
