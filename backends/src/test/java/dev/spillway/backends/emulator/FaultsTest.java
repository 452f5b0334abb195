package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each injected fault as a client of an emulated replica sees it, on a virtual clock. */
class FaultsTest {

  private static final long SECOND = 1_000_000_000L;
  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(Path.of(FaultsTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  private final VirtualClock clock = new VirtualClock();

  private EmulatedReplica replica(Faults faults) {
    Deployment d =
        Deployment.of(
            profiles, profiles.accelerator("tiny.1"), profiles.model("llama-3.1-8b"),
            profiles.stack("test-continuous"), 1, null);
    EmulatedReplica replica = new EmulatedReplica(new Engine("tiny/0", d, clock, profiles.prices(), 0));
    replica.faults(faults);
    return replica;
  }

  private static InferenceRequest request(String id, int output) {
    return new InferenceRequest(
        id, "llama-3.1-8b", 20, output, "", 0,
        new SamplingParams(1.0, 1.0, OptionalLong.of(id.hashCode()), List.of()), ServiceTier.DEFAULT,
        "t", InferenceRequest.NO_DEADLINE);
  }

  private static final class Events {
    final List<TokenEvent> events = new ArrayList<>();

    List<TokenEvent.Token> tokens() {
      return events.stream()
          .filter(e -> e instanceof TokenEvent.Token)
          .map(e -> (TokenEvent.Token) e)
          .toList();
    }

    TokenEvent last() {
      return events.get(events.size() - 1);
    }
  }

  private Events run(EmulatedReplica replica, InferenceRequest request) {
    Events e = new Events();
    replica.submit(request, e.events::add);
    clock.run();
    return e;
  }

  @Test
  void errorRateFailsThatShareOfRequestsBeforeTheirFirstToken() {
    EmulatedReplica replica = replica(Faults.NONE.withErrorRate(0.3).withSeed(7));
    int failed = 0;
    int n = 2000;
    for (int i = 0; i < n; i++) {
      Events e = run(replica, request("r" + i, 2));
      if (e.last() instanceof TokenEvent.Failure) {
        assertThat(((TokenEvent.Failure) e.last()).beforeFirstToken()).isTrue();
        assertThat(e.tokens()).isEmpty();
        failed++;
      } else {
        assertThat(e.last()).isInstanceOf(TokenEvent.Finish.class);
      }
    }
    assertThat((double) failed / n).isBetween(0.27, 0.33);
  }

  @Test
  void sameSeedFailsTheSameRequests() {
    List<Boolean> first = new ArrayList<>();
    List<Boolean> second = new ArrayList<>();
    EmulatedReplica a = replica(Faults.NONE.withErrorRate(0.5).withSeed(3));
    for (int i = 0; i < 50; i++) {
      first.add(run(a, request("r" + i, 1)).last() instanceof TokenEvent.Failure);
    }
    a.faults(Faults.NONE.withErrorRate(0.5).withSeed(3));
    for (int i = 0; i < 50; i++) {
      second.add(run(a, request("r" + i, 1)).last() instanceof TokenEvent.Failure);
    }
    assertThat(second).isEqualTo(first).contains(true, false);
  }

  @Test
  void latencySpikeDelaysTheFirstTokenBySpikeDuration() {
    long before = run(replica(Faults.NONE), request("a", 4)).tokens().get(0).atNanos();
    EmulatedReplica spiky =
        replica(Faults.NONE.withLatencySpike(new Chance(1, Duration.ofSeconds(3))));
    long start2 = clock.nanoTime();
    Events e = run(spiky, request("a", 4));
    long ttft = e.tokens().get(0).atNanos() - start2;
    assertThat(ttft).isEqualTo(before + 3 * SECOND);
    assertThat(e.last()).isInstanceOf(TokenEvent.Finish.class);
  }

  @Test
  void stallHoldsTokensBackForItsDurationHalfwayThrough() {
    Events plain = run(replica(Faults.NONE), request("s", 10));
    long offset = clock.nanoTime();
    Events stalled =
        run(replica(Faults.NONE.withStall(new Chance(1, Duration.ofSeconds(5)))), request("s", 10));
    List<TokenEvent.Token> p = plain.tokens();
    List<TokenEvent.Token> s = stalled.tokens();
    assertThat(s).hasSize(10);
    for (int i = 0; i < 10; i++) {
      long expected = p.get(i).atNanos() + (i >= 5 ? 5 * SECOND : 0);
      assertThat(s.get(i).atNanos() - offset).isEqualTo(expected);
    }
    assertThat(s.get(5).atNanos() - s.get(4).atNanos()).isGreaterThanOrEqualTo(5 * SECOND);
    assertThat(stalled.last()).isInstanceOf(TokenEvent.Finish.class);
  }

  @Test
  void disconnectEndsTheStreamHalfwayWithAnError() {
    EmulatedReplica replica = replica(Faults.NONE.withDisconnect(1));
    Events e = run(replica, request("d", 10));
    assertThat(e.tokens()).hasSize(5);
    assertThat(e.last()).isInstanceOf(TokenEvent.Failure.class);
    assertThat(((TokenEvent.Failure) e.last()).beforeFirstToken()).isFalse();
    assertThat(replica.load().running()).isZero();
    assertThat(replica.engine().load().kvBlocksUsed()).isZero();
  }

  @Test
  void slowStartDelaysOnlyTheFirstRequestsAfterAStart() {
    long plain = run(replica(Faults.NONE), request("w", 2)).tokens().get(0).atNanos();
    EmulatedReplica replica =
        replica(Faults.NONE.withSlowStart(new SlowStart(2, Duration.ofSeconds(4))));
    List<Long> ttfts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long start = clock.nanoTime();
      ttfts.add(run(replica, request("w", 2)).tokens().get(0).atNanos() - start);
    }
    assertThat(ttfts).containsExactly(plain + 4 * SECOND, plain + 4 * SECOND, plain);
  }

  @Test
  void crashFailsInFlightRequestsRefusesNewOnesAndRecovers() {
    EmulatedReplica replica =
        replica(Faults.NONE.withCrash(new Crash(Duration.ofSeconds(1), Duration.ofSeconds(10))));
    Events inFlight = new Events();
    replica.submit(request("long", 100_000 / 100), inFlight.events::add);
    clock.runUntil(2 * SECOND);
    assertThat(replica.down()).isTrue();
    assertThat(inFlight.last()).isInstanceOf(TokenEvent.Failure.class);
    assertThat(inFlight.last().atNanos()).isEqualTo(SECOND);
    assertThat(replica.engine().load().running()).isZero();

    Events refused = new Events();
    replica.submit(request("new", 2), refused.events::add);
    assertThat(refused.events).isEmpty(); // answered on a later turn, as a refused connection is
    clock.runUntil(3 * SECOND);
    assertThat(refused.events).singleElement().isInstanceOf(TokenEvent.Failure.class);
    assertThat(((TokenEvent.Failure) refused.last()).beforeFirstToken()).isTrue();

    clock.runUntil(11 * SECOND);
    assertThat(replica.down()).isFalse();
    Events after = run(replica, request("after", 2));
    assertThat(after.tokens()).hasSize(2);
    assertThat(after.last()).isInstanceOf(TokenEvent.Finish.class);
  }

  @Test
  void clearingFaultsBringsACrashedReplicaBack() {
    EmulatedReplica replica =
        replica(Faults.NONE.withCrash(new Crash(Duration.ZERO, Duration.ofHours(1))));
    clock.runUntil(SECOND);
    assertThat(replica.down()).isTrue();
    replica.faults(Faults.NONE);
    assertThat(replica.down()).isFalse();
    assertThat(run(replica, request("x", 2)).last()).isInstanceOf(TokenEvent.Finish.class);
  }

  @Test
  void parsesEveryFieldAndNamesTheBadOne() {
    Faults f =
        Faults.parse(
            "faults",
            Map.of(
                "errorRate", 0.1,
                "latencySpike", Map.of("probability", 0.2, "duration", "500ms"),
                "stall", Map.of("probability", 0.05, "duration", 3),
                "disconnect", 0.01,
                "slowStart", Map.of("requests", 10, "delay", "2s"),
                "crash", Map.of("after", "30s", "recoverAfter", "1m"),
                "seed", 9));
    assertThat(f)
        .isEqualTo(
            new Faults(
                0.1, new Chance(0.2, Duration.ofMillis(500)), new Chance(0.05, Duration.ofSeconds(3)),
                0.01, new SlowStart(10, Duration.ofSeconds(2)),
                Optional.of(new Crash(Duration.ofSeconds(30), Duration.ofMinutes(1))), 9));
    assertThat(Faults.parse("faults", f.toMap())).isEqualTo(f);
    assertThatThrownBy(() -> Faults.parse("faults", Map.of("errorRate", 1.5)))
        .hasMessage("faults.errorRate: 1.5 (expected: from 0 to 1)");
    assertThatThrownBy(() -> Faults.parse("faults", Map.of("stall", Map.of("probability", 0.5))))
        .hasMessage("faults.stall.duration: missing (expected: a value)");
    assertThatThrownBy(() -> Faults.parse("faults", Map.of("errorRat", 0.5)))
        .hasMessageStartingWith("faults.errorRat: unknown field (expected: one of crash, disconnect");
    assertThatThrownBy(
            () -> Faults.parse("faults", Map.of("crash", Map.of("after", "soon", "recoverAfter", 1))))
        .hasMessageStartingWith("faults.crash.after: soon (expected: a duration");
  }
}
