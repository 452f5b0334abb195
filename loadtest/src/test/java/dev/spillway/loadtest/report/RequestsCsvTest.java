package dev.spillway.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RequestsCsvTest {

  @Test
  void millisecondsArePrintedExactlyAsTheFormatterRoundsThem() {
    SplittableRandom random = new SplittableRandom(42);
    long[] edges = {0, 1, 499, 500, 501, 999, 1_000, 1_499, 1_500, 999_500, -1, -500, -501, -1_500, 123_456_789_500L};
    for (long nanos : edges) {
      assertMillis(nanos);
    }
    for (int i = 0; i < 200_000; i++) {
      long nanos = random.nextLong(-1_000_000_000L, 10_000_000_000_000L);
      // Every thousandth value lands on a half: the rounding rule shows there.
      assertMillis(i % 1000 == 0 ? nanos / 1000 * 1000 + 500 : nanos);
      double tpot = random.nextDouble() * 1e9;
      assertThat(RequestsCsv.millis(tpot)).isEqualTo(String.format(Locale.ROOT, "%.3f", tpot / 1e6));
    }
  }

  @Test
  void pricesArePrintedAsPlainDecimalsExactlyAsBigDecimalPrintsThem() {
    SplittableRandom random = new SplittableRandom(7);
    double[] edges = {1e-5, 1.0e-5, 1.5e-7, 0.001, 9.999e-4, 1e7, 1.25e7, 12345.678, 1e21, -3.2e-6, Double.MIN_VALUE};
    for (double value : edges) {
      assertThat(RequestsCsv.decimal(value)).isEqualTo(new BigDecimal(Double.toString(value)).toPlainString());
    }
    for (int i = 0; i < 200_000; i++) {
      double value = random.nextDouble() * Math.pow(10, random.nextInt(-12, 12));
      assertThat(RequestsCsv.decimal(value)).as("%s", value)
          .isEqualTo(new BigDecimal(Double.toString(value)).toPlainString());
    }
  }

  private static void assertMillis(long nanos) {
    StringBuilder row = new StringBuilder();
    RequestsCsv.millis(row, nanos);
    assertThat(row.toString()).as("%d ns", nanos).isEqualTo(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
  }
}
