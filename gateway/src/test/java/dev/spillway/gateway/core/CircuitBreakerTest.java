package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.Health;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.ScriptedBackendProvider.Script;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Each replica's circuit breaker, driven by what its requests do, on a virtual clock. */
class CircuitBreakerTest {

  private static final String DOWN = "m@scripted/0";
  private static final String HEALTHY = "m@scripted/1";
  private static final long SECOND = 1_000_000_000L;

  /** Two replicas taking turns; a breaker opens at half of 4 attempts failed, for 10 s, then 2 probes. */
  private static final String CONFIG =
      "models:\n"
          + "  - name: m\n"
          + "    routing: round-robin\n"
          + "    pools:\n"
          + "      - kind: scripted\n"
          + "        replicas: 2\n"
          + "        resilience:\n"
          + "          circuitBreaker:\n"
          + "            failureRateThreshold: 50\n"
          + "            minimumNumberOfCalls: 4\n"
          + "            slidingWindowSize: 4\n"
          + "            waitDurationInOpenState: 10s\n"
          + "            permittedCallsInHalfOpenState: 2\n";

  private final VirtualClock clock = new VirtualClock();
  private final Script script = new Script();
  private final List<String> transitions = new ArrayList<>();
  private final GatewayCore core = core(CONFIG);

  private GatewayCore core(String yaml) {
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    GatewayMetrics metrics =
        new SilentMetrics() {
          @Override
          public void circuitBreakerTransition(String pool, String replica, String state) {
            transitions.add(replica + " " + state);
          }

        };
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Script.class, script)), metrics);
  }

  /** Sends one request and lets it run for a second of virtual time; returns what the client saw. */
  private GatewayCoreTest.Recorder send(int i) {
    GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
    core.submit(
        new GatewayRequest(
            "r" + i, "m", 10, 1, "", i, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
            Optional.empty(), false),
        r);
    clock.runUntil(clock.nanoTime() + SECOND);
    return r;
  }

  private String breaker(String replica) {
    CompletableFuture<List<Gateway.PoolStatus>> pools = core.pools().toCompletableFuture();
    clock.runUntil(clock.nanoTime());
    return pools.join().get(0).replicas().stream()
        .filter(r -> r.id().equals(replica))
        .findFirst()
        .orElseThrow()
        .circuitBreaker();
  }

  private static boolean finished(GatewayCoreTest.Recorder r) {
    return r.events.get(r.events.size() - 1) instanceof TokenEvent.Finish;
  }

  @Test
  void opensAfterFailuresAndRoutesNothingToTheReplicaWhileOpen() {
    script.down(DOWN);
    int i = 0;
    while (script.submitted(DOWN) < 4) {
      assertThat(finished(send(i++))).as("retried on the healthy replica").isTrue();
    }
    assertThat(breaker(DOWN)).isEqualTo("open");
    assertThat(breaker(HEALTHY)).isEqualTo("closed");

    for (int k = 0; k < 10; k++) {
      assertThat(finished(send(i++))).isTrue();
    }
    assertThat(script.submitted(DOWN)).isEqualTo(4);
    assertThat(transitions).containsExactly(DOWN + " open");
  }

  @Test
  void halfOpensAfterTheWaitAndClosesAfterSuccessfulProbes() {
    script.down(DOWN);
    int i = 0;
    while (script.submitted(DOWN) < 4) {
      send(i++);
    }
    assertThat(breaker(DOWN)).isEqualTo("open");
    script.up(DOWN);

    clock.runUntil(clock.nanoTime() + 10 * SECOND);
    for (int k = 0; k < 4; k++) {
      assertThat(finished(send(i++))).isTrue();
    }

    assertThat(script.submitted(DOWN)).isEqualTo(6); // the two probes
    assertThat(breaker(DOWN)).isEqualTo("closed");
    assertThat(transitions).containsExactly(DOWN + " open", DOWN + " half_open", DOWN + " closed");
  }

  @Test
  void aFailedProbeOpensTheBreakerAgain() {
    script.down(DOWN);
    int i = 0;
    while (script.submitted(DOWN) < 4) {
      send(i++);
    }
    clock.runUntil(clock.nanoTime() + 10 * SECOND);
    for (int k = 0; k < 4; k++) {
      assertThat(finished(send(i++))).isTrue();
    }

    assertThat(breaker(DOWN)).isEqualTo("open");
    assertThat(transitions).containsExactly(DOWN + " open", DOWN + " half_open", DOWN + " open");
  }

  @Test
  void aReplicaWhoseHealthCheckPassesAgainIsProbedWithoutWaitingOutTheBreaker() {
    script.down(DOWN);
    int i = 0;
    while (script.submitted(DOWN) < 4) {
      send(i++);
    }
    script.health(DOWN, Health.DOWN);
    assertThat(breaker(DOWN)).isEqualTo("open");
    script.up(DOWN);

    script.health(DOWN, Health.UP); // one second into a wait of ten
    for (int k = 0; k < 4; k++) {
      assertThat(finished(send(i++))).isTrue();
    }

    assertThat(script.submitted(DOWN)).isEqualTo(6);
    assertThat(breaker(DOWN)).isEqualTo("closed");
    assertThat(transitions).containsExactly(DOWN + " open", DOWN + " half_open", DOWN + " closed");
  }

  @Test
  void aReplicaThatIsDownIsNotWaitedForByARetry() {
    script.health(HEALTHY, Health.DOWN);
    script.down(DOWN);

    GatewayCoreTest.Recorder r = send(0);

    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.BACKEND);
    assertThat(script.submitted(HEALTHY)).isZero();
    assertThat(script.submitted(DOWN)).isEqualTo(2);
  }

  @Test
  void replicasStartClosed() {
    assertThat(breaker(DOWN)).isEqualTo("closed");
    assertThat(breaker(HEALTHY)).isEqualTo("closed");
    assertThat(transitions).isEmpty();
  }
}
