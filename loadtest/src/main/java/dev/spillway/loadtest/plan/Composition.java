package dev.spillway.loadtest.plan;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many replicas of each candidate a fleet has, in the plan's candidate order. Immutable.
 * Compositions are ordered by the partial order of their counts: one that has at most as many of
 * every candidate as another is below it.
 */
public final class Composition {

  private final int[] replicas;

  Composition(int[] replicas) {
    this.replicas = replicas.clone();
    for (int r : this.replicas) {
      if (r < 0) {
        throw new IllegalArgumentException("replicas: " + Arrays.toString(replicas) + " (expected: >= 0 each)");
      }
    }
  }

  /** Only candidate {@code index}, {@code count} replicas of it, out of {@code size} candidates. */
  static Composition single(int size, int index, int count) {
    int[] replicas = new int[size];
    replicas[index] = count;
    return new Composition(replicas);
  }

  public int replicas(int candidate) {
    return replicas[candidate];
  }

  public int size() {
    return replicas.length;
  }

  /** The number of candidates with at least one replica. */
  public int pools() {
    int pools = 0;
    for (int r : replicas) {
      pools += r > 0 ? 1 : 0;
    }
    return pools;
  }

  /** Whether every count here is at most the other's. */
  public boolean below(Composition other) {
    for (int i = 0; i < replicas.length; i++) {
      if (replicas[i] > other.replicas[i]) {
        return false;
      }
    }
    return true;
  }

  public double costPerHour(List<Candidate> candidates) {
    double cost = 0;
    for (int i = 0; i < replicas.length; i++) {
      cost += replicas[i] * candidates.get(i).replicaCostPerHour();
    }
    return cost;
  }

  /** Pool name → replicas, for the pools it has, in candidate order. */
  public Map<String, Integer> fleet(List<Candidate> candidates) {
    Map<String, Integer> fleet = new LinkedHashMap<>();
    for (int i = 0; i < replicas.length; i++) {
      if (replicas[i] > 0) {
        fleet.put(candidates.get(i).name(), replicas[i]);
      }
    }
    return fleet;
  }

  /** {@code trn2-tp64 ×1 + p5-fp8-tp2 ×3}. */
  public String describe(List<Candidate> candidates) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < replicas.length; i++) {
      if (replicas[i] > 0) {
        text.append(text.length() == 0 ? "" : " + ").append(candidates.get(i).name()).append(" ×").append(replicas[i]);
      }
    }
    return text.length() == 0 ? "(empty)" : text.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Composition other && Arrays.equals(replicas, other.replicas);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(replicas);
  }

  @Override
  public String toString() {
    return Arrays.toString(replicas);
  }
}
