package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A run cut into equal time buckets (1 second by default), from the bucket of the earliest measured
 * start to that of the latest end; warm-up excluded. Requests count in the bucket where they ended,
 * sends where they were sent, output tokens where they arrived (a record whose token times do not match
 * its token count spreads the count evenly over them).
 *
 * @param bucketNanos the width of every bucket
 */
public record TimeSeries(long bucketNanos, List<Bucket> buckets) {

  public static final long ONE_SECOND = 1_000_000_000L;

  /**
   * One bucket; latency percentiles are exact (sorted) over the requests that completed in it, 0 when
   * none did.
   *
   * @param startSeconds the bucket's start, in seconds from the start of the run
   */
  public record Bucket(
      double startSeconds,
      int sent,
      int completed,
      int failed,
      double outputTokens,
      double ttftP50Ms,
      double ttftP99Ms,
      double e2eP50Ms,
      double e2eP99Ms) {}

  public TimeSeries {
    buckets = List.copyOf(buckets);
  }

  public static TimeSeries of(List<RequestRecord> records, long bucketNanos) {
    requireNonNull(records, "records");
    if (bucketNanos <= 0) {
      throw new IllegalArgumentException("bucketNanos: " + bucketNanos + " (expected: > 0)");
    }
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (RequestRecord record : records) {
      if (!record.warmup()) {
        first = Math.min(first, Summary.start(record));
        last = Math.max(last, Math.max(record.endNanos(), Summary.start(record)));
      }
    }
    if (first == Long.MAX_VALUE) {
      return new TimeSeries(bucketNanos, List.of());
    }
    long origin = Math.floorDiv(first, bucketNanos);
    int count = (int) Math.min(1_000_000, Math.floorDiv(last, bucketNanos) - origin + 1);
    int[] sent = new int[count];
    int[] completed = new int[count];
    int[] failed = new int[count];
    double[] tokens = new double[count];
    List<List<Double>> ttft = new ArrayList<>(count);
    List<List<Double>> e2e = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ttft.add(new ArrayList<>());
      e2e.add(new ArrayList<>());
    }
    for (RequestRecord record : records) {
      if (record.warmup()) {
        continue;
      }
      if (record.sentNanos() >= 0) {
        int b = bucket(record.sentNanos(), bucketNanos, origin, count);
        sent[b]++;
      }
      int end = bucket(record.endNanos(), bucketNanos, origin, count);
      if (!record.succeeded()) {
        failed[end]++;
        continue;
      }
      completed[end]++;
      ttft.get(end).add(record.ttftNanos() / 1e6);
      e2e.get(end).add(record.e2eNanos() / 1e6);
      long[] times = record.tokenNanos();
      if (times.length == 0) {
        tokens[end] += record.outputTokens();
      } else {
        double each = (double) record.outputTokens() / times.length;
        for (long time : times) {
          tokens[bucket(time, bucketNanos, origin, count)] += each;
        }
      }
    }
    List<Bucket> buckets = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      double[] t = sorted(ttft.get(i));
      double[] e = sorted(e2e.get(i));
      buckets.add(
          new Bucket(
              (origin + i) * (double) bucketNanos / 1e9,
              sent[i], completed[i], failed[i], tokens[i],
              percentile(t, 50), percentile(t, 99), percentile(e, 50), percentile(e, 99)));
    }
    return new TimeSeries(bucketNanos, buckets);
  }

  private static int bucket(long nanos, long bucketNanos, long origin, int count) {
    long index = Math.floorDiv(nanos, bucketNanos) - origin;
    return (int) Math.max(0, Math.min(count - 1, index));
  }

  private static double[] sorted(List<Double> values) {
    double[] array = new double[values.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = values.get(i);
    }
    Arrays.sort(array);
    return array;
  }

  /** Nearest rank, as the histograms; 0 for none. */
  static double percentile(double[] sorted, double percentile) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
