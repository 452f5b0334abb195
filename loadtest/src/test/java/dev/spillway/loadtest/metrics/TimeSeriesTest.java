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

  @Test
  void failuresCountByErrorKindInTheBucketWhereTheyEnded() {
    List<RequestRecord> records = List.of(
        streamed(0, 0, 0, 500, 900, 5),
        Records.failed(1, 100, 300, "http_503"),
        Records.failed(2, 200, 400, "http_503"),
        Records.failed(3, 1100, 1500, "stream_error"),
        Records.failed(4, 2100, 2600, "timeout"),
        Records.failed(5, 2200, 2700, "http_503"));

    TimeSeries series = TimeSeries.of(records, TimeSeries.ONE_SECOND);

    assertThat(series.errorKinds()).containsExactly("http_503", "stream_error", "timeout");
    List<TimeSeries.Bucket> b = series.buckets();
    assertThat(b).hasSize(3);
    assertThat(b.get(0).errors()).containsExactly(java.util.Map.entry("http_503", 2));
    assertThat(b.get(1).errors()).containsExactly(java.util.Map.entry("stream_error", 1));
    assertThat(b.get(2).errors())
        .containsExactly(java.util.Map.entry("http_503", 1), java.util.Map.entry("timeout", 1));
    assertThat(b.get(2).errors("stream_error")).isZero();
    for (TimeSeries.Bucket bucket : b) {
      assertThat(bucket.errors().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(bucket.failed());
    }
  }

  @Test
  void errorKindsSurviveTheWindowWideningBackwards() {
    List<RequestRecord> late = List.of(
        Records.failed(0, 5100, 5200, "timeout"),
        Records.failed(1, 100, 200, "http_502"));
    TimeSeries series = TimeSeries.of(late, TimeSeries.ONE_SECOND);
    assertThat(series.buckets().get(0).errors("http_502")).isEqualTo(1);
    assertThat(series.buckets().get(5).errors("timeout")).isEqualTo(1);
  }
}
