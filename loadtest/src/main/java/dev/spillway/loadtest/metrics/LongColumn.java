package dev.spillway.loadtest.metrics;

import java.util.Arrays;

/** A growable column of longs: a run's per-request times without a boxed object per value. */
final class LongColumn {

  private long[] values = new long[1024];
  private int size;

  void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
  }

  /** A sorted copy of the values. */
  long[] sorted() {
    long[] copy = Arrays.copyOf(values, size);
    Arrays.sort(copy);
    return copy;
  }
}
