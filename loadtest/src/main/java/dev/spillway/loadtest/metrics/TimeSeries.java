package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A run cut into equal time buckets (1 second by default), from the bucket of the earliest measured
 * start to that of the latest end; warm-up excluded. Requests count in the bucket where they ended,
 * sends where they were sent, output tokens where they arrived (a record whose token times do not match
 * its token count spreads the count evenly over them). Failed requests also count by error kind, so a
 * failure drill shows which errors came when.
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
   * @param errors failed requests by error kind ({@code http_503}, {@code timeout},
   *     {@code stream_error}, ...), the kinds that occurred in this bucket, in name order
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
      double e2eP99Ms,
      Map<String, Integer> errors) {

    public Bucket {
      errors = Collections.unmodifiableMap(new TreeMap<>(errors));
    }

    /** Failed requests of {@code kind} in this bucket. */
    public int errors(String kind) {
      return errors.getOrDefault(kind, 0);
    }
  }

  public TimeSeries {
    buckets = List.copyOf(buckets);
  }

  /** Every error kind of any bucket, in name order. */
  public List<String> errorKinds() {
    TreeSet<String> kinds = new TreeSet<>();
    for (Bucket bucket : buckets) {
      kinds.addAll(bucket.errors().keySet());
    }
    return List.copyOf(kinds);
  }

  public static TimeSeries of(List<RequestRecord> records, long bucketNanos) {
    requireNonNull(records, "records");
    Builder builder = new Builder(bucketNanos);
    for (RequestRecord record : records) {
      builder.add(record);
    }
    return builder.build();
  }

  /**
   * Folds records into buckets one at a time, so a run need not keep its records: each bucket keeps
   * counts, a token sum and its requests' TTFT and E2E. Buckets are indexed by absolute time until
   * {@link #build()} knows the run's first start; a value adds to its bucket in the order the records
   * came, so the result is the same as from the whole list. Not thread-safe.
   */
  static final class Builder {

    /** Most buckets a series has; later times count in the last one. */
    private static final int MAX_BUCKETS = 1_000_000;
    /** Most buckets the window spans while folding; times beyond count at its edge. */
    private static final long MAX_WINDOW = 2L * MAX_BUCKETS;

    private final long bucketNanos;
    private long first = Long.MAX_VALUE;
    private long last = Long.MIN_VALUE;
    /** The absolute bucket of slot 0; the window is empty while {@code length == 0}. */
    private long low;
    private int length;
    private int[] sent = new int[0];
    private int[] completed = new int[0];
    private int[] failed = new int[0];
    /** Failed requests by error kind, each array slot for slot with the others. */
    private final Map<String, int[]> errors = new HashMap<>();
    private double[] tokens = new double[0];
    private DoubleColumn[] ttft = new DoubleColumn[0];
    private DoubleColumn[] e2e = new DoubleColumn[0];

    Builder(long bucketNanos) {
      if (bucketNanos <= 0) {
        throw new IllegalArgumentException("bucketNanos: " + bucketNanos + " (expected: > 0)");
      }
      this.bucketNanos = bucketNanos;
    }

    void add(RequestRecord record) {
      if (record.warmup()) {
        return;
      }
      first = Math.min(first, Summary.start(record));
      last = Math.max(last, Math.max(record.endNanos(), Summary.start(record)));
      // The slot first: widening the window replaces the arrays.
      if (record.sentNanos() >= 0) {
        int sentSlot = slot(record.sentNanos());
        sent[sentSlot]++;
      }
      int end = slot(record.endNanos());
      if (!record.succeeded()) {
        failed[end]++;
        errors.computeIfAbsent(record.error(), k -> new int[length])[end]++;
        return;
      }
      completed[end]++;
      column(ttft, end).add(record.ttftNanos() / 1e6);
      column(e2e, end).add(record.e2eNanos() / 1e6);
      long[] times = record.tokenNanos();
      if (times.length == 0) {
        tokens[end] += record.outputTokens();
      } else {
        double each = (double) record.outputTokens() / times.length;
        for (long time : times) {
          int slot = slot(time);
          tokens[slot] += each;
        }
      }
    }

    TimeSeries build() {
      if (first == Long.MAX_VALUE) {
        return new TimeSeries(bucketNanos, List.of());
      }
      long origin = Math.floorDiv(first, bucketNanos);
      int count = (int) Math.min(MAX_BUCKETS, Math.floorDiv(last, bucketNanos) - origin + 1);
      int[] s = new int[count];
      int[] c = new int[count];
      int[] f = new int[count];
      double[] t = new double[count];
      DoubleColumn[] ttfts = new DoubleColumn[count];
      DoubleColumn[] e2es = new DoubleColumn[count];
      List<Map<String, Integer>> kinds = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        kinds.add(new HashMap<>());
      }
      for (int i = 0; i < length; i++) {
        int b = (int) Math.max(0, Math.min(count - 1, low + i - origin));
        for (Map.Entry<String, int[]> kind : errors.entrySet()) {
          if (kind.getValue()[i] > 0) {
            kinds.get(b).merge(kind.getKey(), kind.getValue()[i], Integer::sum);
          }
        }
      }
      for (int i = 0; i < length; i++) {
        int b = (int) Math.max(0, Math.min(count - 1, low + i - origin));
        s[b] += sent[i];
        c[b] += completed[i];
        f[b] += failed[i];
        t[b] += tokens[i];
        merge(ttfts, b, ttft[i]);
        merge(e2es, b, e2e[i]);
      }
      List<Bucket> buckets = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        double[] ttftMs = sorted(ttfts[i]);
        double[] e2eMs = sorted(e2es[i]);
        buckets.add(
            new Bucket(
                (origin + i) * (double) bucketNanos / 1e9,
                s[i], c[i], f[i], t[i],
                percentile(ttftMs, 50), percentile(ttftMs, 99), percentile(e2eMs, 50), percentile(e2eMs, 99),
                kinds.get(i)));
      }
      return new TimeSeries(bucketNanos, buckets);
    }

    /** The window slot of the bucket holding {@code nanos}, widening the window to include it. */
    private int slot(long nanos) {
      long bucket = Math.floorDiv(nanos, bucketNanos);
      if (length == 0) {
        low = bucket;
        grow(0, 16);
      }
      if (bucket < low) {
        long high = low + length;
        bucket = Math.max(bucket, high - MAX_WINDOW);
        int shift = (int) (low - bucket);
        grow(shift, Math.max(length + shift, length * 2));
        low = bucket;
      } else if (bucket >= low + length) {
        bucket = Math.min(bucket, low + MAX_WINDOW - 1);
        int needed = (int) (bucket - low + 1);
        grow(0, Math.max(needed, length * 2));
      }
      return (int) (bucket - low);
    }

    /** Resizes every slot array to {@code size}, moving the current slots up by {@code shift}. */
    private void grow(int shift, int size) {
      size = (int) Math.min(size, MAX_WINDOW);
      sent = moved(sent, shift, size);
      completed = moved(completed, shift, size);
      failed = moved(failed, shift, size);
      for (Map.Entry<String, int[]> kind : errors.entrySet()) {
        kind.setValue(moved(kind.getValue(), shift, size));
      }
      double[] t = new double[size];
      System.arraycopy(tokens, 0, t, shift, length);
      tokens = t;
      DoubleColumn[] a = new DoubleColumn[size];
      System.arraycopy(ttft, 0, a, shift, length);
      ttft = a;
      DoubleColumn[] b = new DoubleColumn[size];
      System.arraycopy(e2e, 0, b, shift, length);
      e2e = b;
      length = size;
    }

    private int[] moved(int[] values, int shift, int size) {
      int[] copy = new int[size];
      System.arraycopy(values, 0, copy, shift, length);
      return copy;
    }

    private static DoubleColumn column(DoubleColumn[] columns, int slot) {
      DoubleColumn column = columns[slot];
      if (column == null) {
        column = new DoubleColumn(8);
        columns[slot] = column;
      }
      return column;
    }

    private static void merge(DoubleColumn[] into, int bucket, DoubleColumn from) {
      if (from != null) {
        column(into, bucket).addAll(from);
      }
    }

    private static double[] sorted(DoubleColumn values) {
      if (values == null) {
        return new double[0];
      }
      double[] array = values.toArray();
      Arrays.sort(array);
      return array;
    }
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
