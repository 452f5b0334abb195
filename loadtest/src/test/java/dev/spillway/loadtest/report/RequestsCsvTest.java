package dev.spillway.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

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

  private static void assertMillis(long nanos) {
    StringBuilder row = new StringBuilder();
    RequestsCsv.millis(row, nanos);
    assertThat(row.toString()).as("%d ns", nanos).isEqualTo(String.format(Locale.ROOT, "%.3f", nanos / 1e6));
  }
}
