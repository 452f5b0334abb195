package dev.spillway.gateway.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RoutingPoliciesTest {

  static final Slo SLO = new Slo(Duration.ofMillis(500), Duration.ofMillis(50));

  static Set<String> policies() {
    return RoutingPolicies.names();
  }

  private static InferenceRequest request(long prefixHash) {
    return new InferenceRequest(
        "r", "m", 100, 50, "", prefixHash, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
        InferenceRequest.NO_DEADLINE);
  }

  private static Candidate candidate(String pool, FakeReplica replica) {
    return new Candidate(pool, replica);
  }

  @ParameterizedTest
  @MethodSource("policies")
  void emptyModelSelectsNothing(String policy) {
    Selector selector = RoutingPolicies.named(policy).selector(List.of());
    assertThat(selector.select(request(1), SLO, List.of())).isNull();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void singleReplicaIsAlwaysChosen(String policy) {
    Candidate only = candidate("p", new FakeReplica("p/0"));
    Selector selector = RoutingPolicies.named(policy).selector(List.of(only));
    for (int i = 0; i < 5; i++) {
      assertThat(selector.select(request(i), SLO, List.of(only))).isSameAs(only);
    }
  }

  @ParameterizedTest
  @MethodSource("policies")
  void allSaturatedSelectsNothing(String policy) {
    List<Candidate> all =
        List.of(candidate("a", new FakeReplica("a/0")), candidate("b", new FakeReplica("b/0")));
    Selector selector = RoutingPolicies.named(policy).selector(all);
    // late binding offers only replicas with capacity: none
    assertThat(selector.select(request(7), SLO, List.of())).isNull();
  }

  @ParameterizedTest
  @MethodSource("policies")
  void choosesOnlyAmongOfferedReplicas(String policy) {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(candidate("p", new FakeReplica("p/" + i).outstanding(i * 10)));
    }
    Selector selector = RoutingPolicies.named(policy).selector(all);
    List<Candidate> offered = List.of(all.get(1), all.get(3));
    for (int i = 0; i < 20; i++) {
      assertThat(offered).contains(selector.select(request(i * 7919L), SLO, offered));
    }
  }

  @Test
  void roundRobinCycles() {
    List<Candidate> all =
        List.of(candidate("a", new FakeReplica("a/0")), candidate("a", new FakeReplica("a/1")), candidate("a", new FakeReplica("a/2")));
    Selector s = RoutingPolicies.named("round-robin").selector(all);
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(s.select(request(0), SLO, all).replica().id());
    }
    assertThat(picks).containsExactly("a/0", "a/1", "a/2", "a/0", "a/1", "a/2");
  }

  @Test
  void leastOutstandingAndPowerOfTwoPreferTheLighterReplica() {
    Candidate heavy = candidate("a", new FakeReplica("a/0").outstanding(5000));
    Candidate light = candidate("a", new FakeReplica("a/1").outstanding(10));
    List<Candidate> both = List.of(heavy, light);
    assertThat(RoutingPolicies.named("least-outstanding").selector(both).select(request(0), SLO, both))
        .isSameAs(light);
    // with two replicas, power of two always compares both
    Selector p2c = RoutingPolicies.named("power-of-two").selector(both);
    for (int i = 0; i < 10; i++) {
      assertThat(p2c.select(request(0), SLO, both)).isSameAs(light);
    }
  }

  @Test
  void shortestPredictedLatencyPicksTheFastestEndToEnd() {
    Candidate slowFirstToken = candidate("a", new FakeReplica("a/0").predicts(900, 10, 0.001));
    Candidate fastFirstToken = candidate("b", new FakeReplica("b/0").predicts(100, 30, 0.001));
    List<Candidate> both = List.of(slowFirstToken, fastFirstToken);
    // 50 output tokens: 900 + 49·10 = 1390 ms against 100 + 49·30 = 1570 ms
    assertThat(RoutingPolicies.named("shortest-predicted-latency").selector(both).select(request(0), SLO, both))
        .isSameAs(slowFirstToken);
  }

  @Test
  void cheapestWithinSloPicksTheCheaperPoolWhenBothMeetTheSlo() {
    Candidate cheap = candidate("trn2", new FakeReplica("trn2/0").predicts(300, 30, 0.0004));
    Candidate dear = candidate("h100", new FakeReplica("h100/0").predicts(100, 15, 0.0020));
    List<Candidate> both = List.of(dear, cheap);
    assertThat(RoutingPolicies.named("cheapest-within-slo").selector(both).select(request(0), SLO, both))
        .isSameAs(cheap);
  }

  @Test
  void cheapestWithinSloKeepsHeadroomBelowTheGoalsBecausePredictionsAreMedians() {
    // 45 ms of a 50 ms TPOT goal: predicted to meet it, but with half its requests over it
    Candidate cheapAtTheEdge = candidate("trn2", new FakeReplica("trn2/0").predicts(300, 45, 0.0004));
    Candidate dear = candidate("h100", new FakeReplica("h100/0").predicts(100, 15, 0.0020));
    List<Candidate> both = List.of(cheapAtTheEdge, dear);
    assertThat(RoutingPolicies.named("cheapest-within-slo").selector(both).select(request(0), SLO, both))
        .isSameAs(dear);
  }

  @Test
  void cheapestWithinSloPicksTheFasterPoolWhenOnlyItMeetsTheSlo() {
    Candidate cheap = candidate("trn2", new FakeReplica("trn2/0").predicts(800, 40, 0.0004));
    Candidate dear = candidate("h100", new FakeReplica("h100/0").predicts(100, 15, 0.0020));
    List<Candidate> both = List.of(cheap, dear);
    assertThat(RoutingPolicies.named("cheapest-within-slo").selector(both).select(request(0), SLO, both))
        .isSameAs(dear);
    // when none meets it, the fastest end to end
    Slo strict = new Slo(Duration.ofMillis(10), Duration.ofMillis(1));
    assertThat(RoutingPolicies.named("cheapest-within-slo").selector(both).select(request(0), strict, both))
        .isSameAs(dear);
  }

  @Test
  void prefixAffinityKeepsAPrefixOnOneReplicaAndFallsBackWhenItIsSaturated() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(candidate("p", new FakeReplica("p/" + i)));
    }
    Selector s = RoutingPolicies.named("prefix-affinity").selector(all);
    Map<Long, Candidate> home = new HashMap<>();
    Set<String> used = new HashSet<>();
    for (long prefix = 1; prefix <= 64; prefix++) {
      Candidate first = s.select(request(prefix), SLO, all);
      assertThat(s.select(request(prefix), SLO, all)).isSameAs(first);
      home.put(prefix, first);
      used.add(first.replica().id());
    }
    assertThat(used).as("prefixes spread over the replicas").hasSize(4);
    long prefix = 5;
    Candidate saturated = home.get(prefix);
    List<Candidate> others = new ArrayList<>(all);
    others.remove(saturated);
    Candidate fallback = s.select(request(prefix), SLO, others);
    assertThat(fallback).isNotNull().isNotSameAs(saturated);
    assertThat(s.select(request(prefix), SLO, others)).as("the fallback is stable too").isSameAs(fallback);
  }

  @Test
  void leastOutstandingPicksTheFirstOfEquallyLoadedReplicas() {
    Candidate a = candidate("p", new FakeReplica("p/0").outstanding(300));
    Candidate b = candidate("p", new FakeReplica("p/1").outstanding(100));
    Candidate c = candidate("p", new FakeReplica("p/2").outstanding(100));
    Selector selector = RoutingPolicies.named(RoutingPolicies.LEAST_OUTSTANDING).selector(List.of(a, b, c));

    assertThat(selector.select(request(1), SLO, List.of(a, b, c))).isSameAs(b);
    assertThat(selector.select(request(1), SLO, List.of(a, c, b))).isSameAs(c);
  }

  @Test
  void prefixAffinityPicksWhatWalkingTheRingFromThePrefixPicks() {
    List<Candidate> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(candidate(i < 4 ? "a" : "b", new FakeReplica((i < 4 ? "a/" : "b/") + i)));
    }
    Selector selector = RoutingPolicies.named(RoutingPolicies.PREFIX_AFFINITY).selector(all);
    // The rule written plainly: each replica's 64 points on a sorted ring; from the first point at or
    // after the mixed prefix hash, going round, the first replica offered.
    java.util.TreeMap<Long, String> ring = new java.util.TreeMap<>();
    for (Candidate c : all) {
      for (int i = 0; i < 64; i++) {
        ring.put(RoutingPolicies.PrefixAffinity.mix(c.replica().id().hashCode() * 31L + i), c.replica().id());
      }
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    for (int trial = 0; trial < 2_000; trial++) {
      List<Candidate> offered = new ArrayList<>();
      for (Candidate c : all) {
        if (random.nextInt(3) > 0) {
          offered.add(c);
        }
      }
      if (offered.isEmpty()) {
        continue;
      }
      long prefix = random.nextLong();
      Map<String, Candidate> byId = new HashMap<>();
      offered.forEach(c -> byId.put(c.replica().id(), c));
      long key = RoutingPolicies.PrefixAffinity.mix(prefix);
      List<String> walk = new ArrayList<>(ring.tailMap(key, true).values());
      walk.addAll(ring.headMap(key, false).values());
      Candidate expected =
          walk.stream().map(byId::get).filter(c -> c != null).findFirst().orElseThrow();

      assertThat(selector.select(request(prefix), SLO, offered)).isSameAs(expected);
    }
  }

  @Test
  void prefixAffinityTakesTheFirstOfferedWhenNoneIsOnTheRing() {
    Candidate known = candidate("p", new FakeReplica("p/0"));
    Candidate stranger = candidate("q", new FakeReplica("q/0"));
    Selector selector = RoutingPolicies.named(RoutingPolicies.PREFIX_AFFINITY).selector(List.of(known));

    assertThat(selector.select(request(3), SLO, List.of(stranger))).isSameAs(stranger);
    assertThat(selector.select(request(3), SLO, List.of(stranger, known))).isSameAs(known);
  }

  @Test
  void endToEndNanosIsThePredictionsEndToEndDuration() {
    dev.spillway.backends.spi.Prediction p =
        new dev.spillway.backends.spi.Prediction(Duration.ofNanos(123_456_789), Duration.ofNanos(20_000_001), 0.1);
    for (int tokens : new int[] {0, 1, 2, 50, 100_000}) {
      assertThat(RoutingPolicies.endToEndNanos(p, tokens)).isEqualTo(p.endToEnd(tokens).toNanos());
    }
    dev.spillway.backends.spi.Prediction huge =
        new dev.spillway.backends.spi.Prediction(Duration.ofDays(365 * 200), Duration.ofDays(365), 0.1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoutingPolicies.endToEndNanos(huge, 200))
        .isInstanceOf(ArithmeticException.class);
  }
}
