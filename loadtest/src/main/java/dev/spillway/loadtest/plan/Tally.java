package dev.spillway.loadtest.plan;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.metrics.RequestRecord;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Counts, as requests end, what a trial reports: per tier, requests and those that met the tier's
 * goals; generated tokens; the first arrival. Keeps no records.
 */
class Tally implements Consumer<RequestRecord> {

  private final Map<ServiceTier, TierGoal> slo;
  private final EnumMap<ServiceTier, long[]> counts = new EnumMap<>(ServiceTier.class);
  private long requests;
  private long outputTokens;
  private long firstArrival = Long.MAX_VALUE;

  Tally(Map<ServiceTier, TierGoal> slo) {
    this.slo = slo;
    for (ServiceTier tier : slo.keySet()) {
      counts.put(tier, new long[2]);
    }
  }

  @Override
  public void accept(RequestRecord record) {
    requests++;
    firstArrival = Math.min(firstArrival, record.intendedStartNanos());
    if (record.succeeded()) {
      outputTokens += record.outputTokens();
    }
    ServiceTier tier = ServiceTier.fromWire(record.tier());
    long[] count = counts.get(tier);
    if (count != null) {
      count[0]++;
      if (slo.get(tier).goals().metBy(record)) {
        count[1]++;
      }
    }
  }

  /** The trial these counts make, the run having ended at {@code endNanos}. */
  Trial trial(Composition composition, String policy, double costPerHour, long endNanos) {
    Map<ServiceTier, Double> attainment = new EnumMap<>(ServiceTier.class);
    boolean meets = true;
    double margin = Double.POSITIVE_INFINITY;
    for (Map.Entry<ServiceTier, long[]> entry : counts.entrySet()) {
      long[] count = entry.getValue();
      double share = count[0] == 0 ? 1 : (double) count[1] / count[0];
      double target = slo.get(entry.getKey()).attainment();
      attainment.put(entry.getKey(), share);
      meets &= share >= target;
      margin = Math.min(margin, share - target);
    }
    long start = firstArrival == Long.MAX_VALUE ? 0 : firstArrival;
    return new Trial(
        composition, policy, attainment, meets, margin, costPerHour, requests, outputTokens,
        Math.max(0, endNanos - start) / 1e9);
  }
}
