package dev.spillway.gateway.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The queue time as written in {@code x-spillway-queue-ms} and a stream's {@code spillway} object. */
class SpillwayFactsTest {

  private static void assertFormattedAsPercentPoint3f(double ms) {
    assertThat(SpillwayFacts.queueMsText(ms))
        .as("%s", ms)
        .isEqualTo(String.format(Locale.ROOT, "%.3f", ms));
  }

  @Test
  void queueMsIsWrittenExactlyAsPercentPoint3fWouldWriteIt() {
    double[] edges = {
      0.0, -0.0, 0.0005, 0.0004999, 0.0015, 0.0025, 1.0005, 2.0005, 12.3455, 12.3445, 999.9995,
      1e-9, 4.9e-324, 1e7, 1.2345678e7, 123456789.0125, 1e15, 1e18, 1.7976931348623157e308, -1.5,
      -0.0004, -12.3455
    };
    for (double ms : edges) {
      assertFormattedAsPercentPoint3f(ms);
    }
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      double scale = Math.pow(10, random.nextInt(-4, 10));
      assertFormattedAsPercentPoint3f(random.nextDouble() * scale);
      // Decimal ties at the fourth place, as doubles near them
      long thousandths = random.nextLong(0, 100_000_000L);
      double tie = new BigDecimal(thousandths).movePointLeft(3).add(new BigDecimal("0.0005")).doubleValue();
      assertFormattedAsPercentPoint3f(tie);
      assertFormattedAsPercentPoint3f(Math.nextUp(tie));
      assertFormattedAsPercentPoint3f(Math.nextDown(tie));
      // Nanosecond queue times in milliseconds, as SpillwayFacts.of computes them
      assertFormattedAsPercentPoint3f(random.nextLong(0, 600_000_000_000L) / 1e6);
    }
  }

  @Test
  void nonFiniteQueueTimesAreWrittenAsZero() {
    assertThat(SpillwayFacts.queueMsText(Double.NaN)).isEqualTo("0.000");
    assertThat(SpillwayFacts.queueMsText(Double.POSITIVE_INFINITY)).isEqualTo("0.000");
  }
}
