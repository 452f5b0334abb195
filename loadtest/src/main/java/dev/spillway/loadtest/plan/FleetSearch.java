package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.sim.SimulationPool;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Finds the cheapest composition that meets every tier's target, and the cheapest of each single
 * candidate, by simulating the whole workload.
 *
 * <p>What it guarantees. Assume that adding a replica never lowers attainment (monotonicity; every
 * pair of simulated compositions where it fails is counted and reported). Then the answer is the
 * cheapest composition within the candidates' limits that meets every target under at least one of
 * the plan's policies: every cheaper composition was either simulated under every policy, or lies below
 * a composition that was and missed.
 *
 * <p>How. First each candidate alone: doubling its replicas until the fleet meets the targets, then
 * bisecting, which measures how many replicas of it the workload needs ({@code n_i}) and the largest
 * count that misses. That seeds the search for mixes: a mix that holds {@code n_i} or more of
 * candidate {@code i} costs more than that single fleet, so only mixes with fewer than {@code n_i} of
 * every candidate, and cheaper than the cheapest single fleet, can win. Those are visited in order of
 * cost, skipping any below a composition known to miss, a batch at a time (the batch size is fixed, so
 * what is simulated does not depend on the number of threads); the first that meets is the answer.
 */
final class FleetSearch {

  /** Compositions simulated together; fixed, so that the set simulated is the same on any machine. */
  static final int BATCH = 8;

  /** More mixes than this cheaper than the best single fleet: the limits are too loose to search. */
  static final int MAX_MIXES = 2_000_000;

  /** What the search found; a null composition where nothing within the limits meets the targets. */
  record Outcome(
      Composition best,
      List<Composition> singles,
      List<Evaluation> evaluations,
      int skipped,
      int monotonicityViolations) {}

  private final PlanSpec spec;
  private final TrialRunner runner;
  private final int threads;
  private final Consumer<Evaluation> progress;
  private final Map<Composition, Evaluation> evaluated = new ConcurrentHashMap<>();

  FleetSearch(PlanSpec spec, TrialRunner runner, int threads, Consumer<Evaluation> progress) {
    this.spec = requireNonNull(spec, "spec");
    this.runner = requireNonNull(runner, "runner");
    this.threads = threads;
    this.progress = requireNonNull(progress, "progress");
  }

  Outcome run() throws InterruptedException {
    try (SimulationPool pool = new SimulationPool("plan", threads)) {
      int size = spec.candidates().size();
      List<Future<Composition>> searches = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        int candidate = i;
        searches.add(pool.submit(() -> smallestSingle(candidate)));
      }
      List<Composition> singles = SimulationPool.results(searches);
      Composition best = cheapest(singles);
      int skipped = 0;
      if (size > 1) {
        Composition mix = null;
        double bound = best == null ? Double.POSITIVE_INFINITY : best.costPerHour(spec.candidates());
        List<Composition> misses = new ArrayList<>();
        evaluated.values().forEach(e -> {
          if (!e.meets()) {
            addMiss(misses, e.composition());
          }
        });
        List<Composition> order = mixes(singles, bound);
        int next = 0;
        while (mix == null && next < order.size()) {
          List<Composition> batch = new ArrayList<>();
          while (batch.size() < BATCH && next < order.size()) {
            Composition c = order.get(next++);
            if (misses.stream().anyMatch(c::below)) {
              skipped++;
            } else {
              batch.add(c);
            }
          }
          List<Future<Evaluation>> runs = new ArrayList<>();
          for (Composition c : batch) {
            runs.add(pool.submit(() -> evaluate(c)));
          }
          for (Future<Evaluation> run : runs) {
            Evaluation e = SimulationPool.result(run);
            if (e.meets()) {
              mix = mix == null ? e.composition() : mix;
            } else {
              addMiss(misses, e.composition());
            }
          }
        }
        if (mix != null) {
          best = mix;
        }
      }
      List<Evaluation> all = new ArrayList<>(evaluated.values());
      all.sort(Comparator.comparingDouble(Evaluation::costPerHour).thenComparing(e -> e.composition().toString()));
      return new Outcome(best, singles, all, skipped, violations(all));
    }
  }

  /** The fewest replicas of candidate {@code index} alone that meet the targets; null if none within its limit. */
  private Composition smallestSingle(int index) {
    int size = spec.candidates().size();
    int limit = spec.limit(index);
    int missing = 0;
    int meeting = -1;
    int n = 1;
    while (true) {
      if (evaluate(Composition.single(size, index, n)).meets()) {
        meeting = n;
        break;
      }
      missing = n;
      if (n == limit) {
        break;
      }
      n = (int) Math.min(2L * n, limit);
    }
    if (meeting < 0) {
      return null;
    }
    while (meeting - missing > 1) {
      int mid = (missing + meeting) >>> 1;
      if (evaluate(Composition.single(size, index, mid)).meets()) {
        meeting = mid;
      } else {
        missing = mid;
      }
    }
    return Composition.single(size, index, meeting);
  }

  private Composition cheapest(List<Composition> compositions) {
    Composition best = null;
    for (Composition c : compositions) {
      if (c != null && (best == null || c.costPerHour(spec.candidates()) < best.costPerHour(spec.candidates()))) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Every composition of two or more candidates cheaper than {@code bound}, with fewer replicas of each
   * candidate than its single fleet needs (or up to its limit, if alone it never meets the targets),
   * cheapest first, ties in a fixed order.
   */
  private List<Composition> mixes(List<Composition> singles, double bound) {
    int size = spec.candidates().size();
    int[] upper = new int[size];
    for (int i = 0; i < size; i++) {
      Composition single = singles.get(i);
      upper[i] = single == null ? spec.limit(i) : Math.min(single.replicas(i) - 1, spec.limit(i));
    }
    List<Composition> out = new ArrayList<>();
    enumerate(new int[size], 0, 0, upper, bound, out);
    out.sort(
        Comparator.comparingDouble((Composition c) -> c.costPerHour(spec.candidates()))
            .thenComparing(Composition::toString));
    return out;
  }

  private void enumerate(int[] counts, int index, double cost, int[] upper, double bound, List<Composition> out) {
    if (index == counts.length) {
      Composition c = new Composition(counts);
      if (c.pools() >= 2) {
        if (out.size() == MAX_MIXES) {
          throw new IllegalArgumentException(
              "candidates: more than " + MAX_MIXES + " mixes to search (expected: tighter max: limits)");
        }
        out.add(c);
      }
      return;
    }
    double price = spec.candidates().get(index).replicaCostPerHour();
    for (int n = 0; n <= upper[index] && cost + n * price < bound; n++) {
      counts[index] = n;
      enumerate(counts, index + 1, cost + n * price, upper, bound, out);
    }
    counts[index] = 0;
  }

  /** Keeps {@code misses} the most-replica compositions known to miss: none below another. */
  private static void addMiss(List<Composition> misses, Composition miss) {
    if (misses.stream().anyMatch(miss::below)) {
      return;
    }
    misses.removeIf(m -> m.below(miss));
    misses.add(miss);
  }

  private Evaluation evaluate(Composition composition) {
    Evaluation known = evaluated.get(composition);
    if (known != null) {
      return known;
    }
    List<Trial> trials = new ArrayList<>();
    for (String policy : spec.policies()) {
      trials.add(runner.run(composition, policy));
    }
    Evaluation e = new Evaluation(composition, trials);
    evaluated.put(composition, e);
    synchronized (progress) {
      progress.accept(e);
    }
    return e;
  }

  /** Pairs where a composition meets the targets and one above it does not. */
  private static int violations(List<Evaluation> all) {
    int count = 0;
    for (Evaluation low : all) {
      if (!low.meets()) {
        continue;
      }
      for (Evaluation high : all) {
        if (!high.meets() && low.composition().below(high.composition())) {
          count++;
        }
      }
    }
    return count;
  }

}
