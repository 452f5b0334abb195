package dev.spillway.backends.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTextTest {

  @Test
  void threeDecimalsWritesWhatTheFormatterWrites() {
    double[] edges = {
      0.0, -0.0, 0.0004, 0.0005, 0.0015, 0.9995, 9.9995, 99.9999, 999.9996, 1e-7, 1.5e7,
      123456789.1235, -1.0005, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, 0.125, 2.5, 17.0
    };
    for (double value : edges) {
      assertThat(JsonText.threeDecimals(value))
          .as("%s", value)
          .isEqualTo(String.format(Locale.ROOT, "%.3f", value));
    }
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100_000; i++) {
      // Latencies in milliseconds as a gateway measures them: whole nanoseconds over 1e6.
      double value = random.nextLong(1, 100_000_000_000L) / 1e6;
      assertThat(JsonText.threeDecimals(value))
          .as("%s", value)
          .isEqualTo(String.format(Locale.ROOT, "%.3f", value));
    }
  }
}
