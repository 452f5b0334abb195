package dev.spillway.gateway.core.routing;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The built-in policies, by configuration name. Every selector returns null on an empty list, and
 * only ever picks from the replicas it is offered (those with capacity now).
 */
public final class RoutingPolicies {

  public static final String ROUND_ROBIN = "round-robin";
  public static final String LEAST_OUTSTANDING = "least-outstanding";
  public static final String POWER_OF_TWO = "power-of-two";
  public static final String SHORTEST_PREDICTED_LATENCY = "shortest-predicted-latency";
  public static final String CHEAPEST_WITHIN_SLO = "cheapest-within-slo";
  public static final String PREFIX_AFFINITY = "prefix-affinity";

  private static final Map<String, Supplier<RoutingPolicy>> POLICIES = new LinkedHashMap<>();

  /**
   * The share of each SLO goal {@code cheapest-within-slo} fills. A prediction is a median, so the
   * policy, which packs the cheapest replica up to the goal, would miss the goal for about half the
   * requests there; 0.7 keeps the tail within it (docs/experiments.md, "Predictions against outcomes").
   */
  static final double SLO_HEADROOM = 0.7;

  static {
    POLICIES.put(ROUND_ROBIN, () -> policy(ROUND_ROBIN, all -> new RoundRobin()));
    POLICIES.put(LEAST_OUTSTANDING, () -> policy(LEAST_OUTSTANDING, all -> leastOutstanding()));
    POLICIES.put(POWER_OF_TWO, () -> policy(POWER_OF_TWO, all -> new PowerOfTwo(42)));
    POLICIES.put(
        SHORTEST_PREDICTED_LATENCY, () -> policy(SHORTEST_PREDICTED_LATENCY, all -> shortestPredicted()));
    POLICIES.put(CHEAPEST_WITHIN_SLO, () -> policy(CHEAPEST_WITHIN_SLO, all -> cheapestWithinSlo()));
    POLICIES.put(PREFIX_AFFINITY, () -> policy(PREFIX_AFFINITY, PrefixAffinity::new));
  }

  private RoutingPolicies() {}

  public static Set<String> names() {
    return POLICIES.keySet();
  }

  public static RoutingPolicy named(String name) {
    Supplier<RoutingPolicy> policy = POLICIES.get(name);
    if (policy == null) {
      throw new IllegalArgumentException("routing: " + name + " (expected one of: " + names() + ")");
    }
    return policy.get();
  }

  private static RoutingPolicy policy(
      String name, java.util.function.Function<List<Candidate>, Selector> factory) {
    return new RoutingPolicy() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Selector selector(List<Candidate> replicas) {
        return factory.apply(List.copyOf(replicas));
      }
    };
  }

  /** Cycles through the offered replicas. */
  static final class RoundRobin implements Selector {
    private long next;

    @Override
    public Candidate select(InferenceRequest request, Slo slo, List<Candidate> available) {
      if (available.isEmpty()) {
        return null;
      }
      return available.get((int) (next++ % available.size()));
    }
  }

  /** Fewest outstanding tokens (prompt to prefill plus output to generate); the first of equals. */
  static Selector leastOutstanding() {
    return (request, slo, available) -> {
      Candidate best = null;
      long bestTokens = Long.MAX_VALUE;
      for (int i = 0; i < available.size(); i++) {
        Candidate c = available.get(i);
        long tokens = c.replica().load().outstandingTokens();
        if (best == null || tokens < bestTokens) {
          best = c;
          bestTokens = tokens;
        }
      }
      return best;
    };
  }

  /** Two replicas drawn at random; the one with fewer outstanding tokens. Seeded. */
  static final class PowerOfTwo implements Selector {
    private final SplittableRandom random;

    PowerOfTwo(long seed) {
      this.random = new SplittableRandom(seed);
    }

    @Override
    public Candidate select(InferenceRequest request, Slo slo, List<Candidate> available) {
      int n = available.size();
      if (n == 0) {
        return null;
      }
      if (n == 1) {
        return available.get(0);
      }
      int a = random.nextInt(n);
      int b = random.nextInt(n - 1);
      if (b >= a) {
        b++;
      }
      Candidate x = available.get(a);
      Candidate y = available.get(b);
      return y.replica().load().outstandingTokens() < x.replica().load().outstandingTokens() ? y : x;
    }
  }

  /** Lowest predicted end-to-end latency under each replica's current load. */
  static Selector shortestPredicted() {
    return (request, slo, available) -> {
      Candidate best = null;
      long bestNanos = Long.MAX_VALUE;
      for (int i = 0; i < available.size(); i++) {
        Candidate c = available.get(i);
        long nanos = endToEndNanos(c.replica().predict(request), request.maxOutputTokens());
        if (nanos < bestNanos) {
          bestNanos = nanos;
          best = c;
        }
      }
      return best;
    };
  }

  /**
   * The lowest predicted cost among replicas predicted to meet the SLO with headroom (TTFT and TPOT
   * within {@link #SLO_HEADROOM} of the goals); if none is, the one with the lowest predicted
   * end-to-end latency.
   */
  static Selector cheapestWithinSlo() {
    return (request, slo, available) -> {
      Candidate cheapest = null;
      double cheapestCost = Double.MAX_VALUE;
      Candidate fastest = null;
      long fastestNanos = Long.MAX_VALUE;
      for (int i = 0; i < available.size(); i++) {
        Candidate c = available.get(i);
        Prediction p = c.replica().predict(request);
        boolean meets =
            p.ttft().toNanos() <= SLO_HEADROOM * slo.ttft().toNanos()
                && p.tpot().toNanos() <= SLO_HEADROOM * slo.tpot().toNanos();
        if (meets && p.costUsd() < cheapestCost) {
          cheapestCost = p.costUsd();
          cheapest = c;
        }
        long e2e = endToEndNanos(p, request.maxOutputTokens());
        if (e2e < fastestNanos) {
          fastestNanos = e2e;
          fastest = c;
        }
      }
      return cheapest != null ? cheapest : fastest;
    };
  }

  /**
   * {@code p.endToEnd(outputTokens).toNanos()}, in long arithmetic rather than through the two
   * {@link java.time.Duration}s that makes: the same value whenever it fits, and the Duration's own
   * result or overflow otherwise.
   */
  static long endToEndNanos(Prediction p, int outputTokens) {
    try {
      return Math.addExact(
          p.ttft().toNanos(), Math.multiplyExact(p.tpot().toNanos(), (long) Math.max(0, outputTokens - 1)));
    } catch (ArithmeticException e) {
      return p.endToEnd(outputTokens).toNanos();
    }
  }

  /**
   * Consistent hashing of the prompt prefix over every replica of the model (64 points each), so
   * requests sharing a prefix land on the replica that has it cached. When that replica is not
   * offered (saturated), the next replica on the ring that is offered takes the request.
   *
   * <p>Implementation notes. The ring is two arrays sorted by point: the points and, for each, the
   * index of its replica. A selection marks the offered replicas in a scratch array indexed the same
   * way, walks the ring from the first point at or after the request's key, and clears the marks:
   * nothing is allocated per request. Where two replicas' points collide, the later replica owns it.
   */
  static final class PrefixAffinity implements Selector {
    private static final int POINTS = 64;
    private final long[] points;
    private final int[] owners;
    private final Map<String, Integer> indexById = new HashMap<>();
    /** Scratch: the offered candidate of each replica index during one selection, else null. */
    private final Candidate[] offered;

    PrefixAffinity(List<Candidate> replicas) {
      TreeMap<Long, Integer> ring = new TreeMap<>();
      for (Candidate c : replicas) {
        String id = c.replica().id();
        Integer index = indexById.computeIfAbsent(id, k -> indexById.size());
        for (int i = 0; i < POINTS; i++) {
          ring.put(mix(id.hashCode() * 31L + i), index);
        }
      }
      points = new long[ring.size()];
      owners = new int[ring.size()];
      int i = 0;
      for (Map.Entry<Long, Integer> point : ring.entrySet()) {
        points[i] = point.getKey();
        owners[i] = point.getValue();
        i++;
      }
      offered = new Candidate[indexById.size()];
    }

    @Override
    public Candidate select(InferenceRequest request, Slo slo, List<Candidate> available) {
      if (available.isEmpty()) {
        return null;
      }
      int n = available.size();
      for (int i = 0; i < n; i++) {
        Candidate c = available.get(i);
        Integer index = indexById.get(c.replica().id());
        if (index != null) {
          offered[index] = c;
        }
      }
      Candidate chosen = null;
      try {
        int start = Arrays.binarySearch(points, mix(request.prefixHash()));
        if (start < 0) {
          start = -start - 1;
        }
        for (int k = 0; k < points.length; k++) {
          int at = start + k;
          Candidate c = offered[owners[at < points.length ? at : at - points.length]];
          if (c != null) {
            chosen = c;
            break;
          }
        }
      } finally {
        Arrays.fill(offered, null);
      }
      return chosen != null ? chosen : available.get(0);
    }

    /** SplitMix64's finaliser: spreads nearby keys over the ring. */
    static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }
  }
}
