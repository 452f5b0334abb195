package dev.spillway.loadtest.metrics;

import java.util.Arrays;

/** A growable column of doubles: a run's per-request numbers without a boxed object per value. */
final class DoubleColumn {

  private double[] values;
  private int size;

  DoubleColumn(int capacity) {
    values = new double[Math.max(1, capacity)];
  }

  void add(double value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
  }

  void addAll(DoubleColumn other) {
    for (int i = 0; i < other.size; i++) {
      add(other.values[i]);
    }
  }

  int size() {
    return size;
  }

  /** A copy of the values, in the order added. */
  double[] toArray() {
    return Arrays.copyOf(values, size);
  }
}
