package dev.spillway.loadtest.metrics;

import static dev.spillway.loadtest.metrics.Records.streamed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSeriesTest {

  @Test
  void bucketsCountSendsCompletionsAndTokensWhereTheyHappened() {
    List<RequestRecord> records = List.of(
        streamed(0, 0, 0, 500, 1500, 11), // tokens at 500, 600, ..., 1500
        streamed(1, 1200, 1200, 1300, 2300, 2),
        Records.failed(2, 2100, 2200, "http_500"));

    TimeSeries series = TimeSeries.of(records, TimeSeries.ONE_SECOND);

    assertThat(series.buckets()).hasSize(3);
    TimeSeries.Bucket first = series.buckets().get(0);
    TimeSeries.Bucket second = series.buckets().get(1);
    TimeSeries.Bucket third = series.buckets().get(2);
    assertThat(first.sent()).isEqualTo(1);
    assertThat(first.outputTokens()).isCloseTo(5, within(1e-9)); // 500..900
    assertThat(second.completed()).isEqualTo(1);
    assertThat(second.outputTokens()).isCloseTo(7, within(1e-9)); // 1000..1500 and 1300
    assertThat(second.e2eP50Ms()).isCloseTo(1500, within(1e-9));
    assertThat(third.failed()).isEqualTo(1);
    assertThat(third.completed()).isEqualTo(1);
    assertThat(third.ttftP50Ms()).isCloseTo(100, within(1e-9));
  }

  @Test
  void recordsArrivingOutOfTimeOrderLandInTheSameBuckets() {
    List<RequestRecord> inOrder = List.of(
        streamed(0, 0, 0, 500, 1500, 11),
        streamed(1, 1200, 1200, 1300, 2300, 2),
        streamed(2, 4200, 4200, 4300, 5300, 3),
        Records.failed(3, 2100, 2200, "http_500"));
    List<RequestRecord> reversed = new ArrayList<>(inOrder);
    Collections.reverse(reversed);

    assertThat(TimeSeries.of(reversed, TimeSeries.ONE_SECOND))
        .isEqualTo(TimeSeries.of(inOrder, TimeSeries.ONE_SECOND));
    assertThat(TimeSeries.of(reversed, TimeSeries.ONE_SECOND).buckets()).hasSize(6);
  }
}
