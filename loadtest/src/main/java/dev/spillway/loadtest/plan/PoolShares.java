package dev.spillway.loadtest.plan;

import dev.spillway.loadtest.metrics.RequestRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Requests per pool per interval of arrival time: which pool the router sent each request to, over
 * the run. Requests the gateway turned away count under the empty pool name.
 */
public final class PoolShares implements Consumer<RequestRecord> {

  private final long bucketNanos;
  private final Map<String, List<Long>> counts = new LinkedHashMap<>();
  private int buckets;

  PoolShares(long bucketNanos) {
    if (bucketNanos <= 0) {
      throw new IllegalArgumentException("bucketNanos: " + bucketNanos + " (expected: > 0)");
    }
    this.bucketNanos = bucketNanos;
  }

  @Override
  public void accept(RequestRecord record) {
    int bucket = (int) (record.intendedStartNanos() / bucketNanos);
    List<Long> pool = counts.computeIfAbsent(record.pool(), p -> new ArrayList<>());
    while (pool.size() <= bucket) {
      pool.add(0L);
    }
    pool.set(bucket, pool.get(bucket) + 1);
    buckets = Math.max(buckets, bucket + 1);
  }

  long bucketNanos() {
    return bucketNanos;
  }

  int buckets() {
    return buckets;
  }

  /** Pool → requests per interval, every list {@link #buckets()} long, pools in order of first use. */
  Map<String, long[]> counts() {
    Map<String, long[]> out = new LinkedHashMap<>();
    counts.forEach(
        (pool, list) -> {
          long[] series = new long[buckets];
          for (int i = 0; i < list.size(); i++) {
            series[i] = list.get(i);
          }
          out.put(pool, series);
        });
    return out;
  }
}
