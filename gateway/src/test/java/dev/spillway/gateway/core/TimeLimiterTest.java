package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.GatewayListener.Binding;
import dev.spillway.gateway.core.ScriptedBackendProvider.Script;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each attempt's deadlines (a pool's time limiter), on a virtual clock. */
class TimeLimiterTest {

  private static final long SECOND = 1_000_000_000L;

  private final VirtualClock clock = new VirtualClock();
  private final Script script = new Script();
  private final List<String> timeouts = new ArrayList<>();

  private GatewayCoreTest.Recorder send(String timeLimiter, boolean committed) {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n"
                    + "  - name: m\n"
                    + "    routing: round-robin\n"
                    + "    pools:\n"
                    + "      - kind: scripted\n"
                    + "        replicas: 2\n"
                    + "        resilience: {timeLimiter: " + timeLimiter + "}\n",
                "test");
    GatewayCore core =
        new GatewayCore(
            config, clock, new BackendContext(clock, Map.of(Script.class, script)),
            new SilentMetrics() {
              @Override
              public void attemptTimedOut(String pool, String deadline) {
                timeouts.add(pool + " " + deadline);
              }
            });
    GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
    r.committed = committed;
    core.submit(
        new GatewayRequest(
            "r", "m", 10, 1, "", 1, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
            Optional.empty(), false),
        r);
    clock.runUntil(60 * SECOND);
    return r;
  }

  private static List<Binding> bindings(GatewayCoreTest.Recorder r) {
    return r.events.stream().filter(Binding.class::isInstance).map(Binding.class::cast).toList();
  }

  @Test
  void anAttemptWithoutAFirstTokenByItsDeadlineIsCancelledAndRetriedElsewhere() {
    script.stalls.add("m@scripted/0");

    GatewayCoreTest.Recorder r = send("{firstToken: 2s}", true);

    assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class);
    assertThat(bindings(r)).extracting(Binding::replica)
        .containsExactly("m@scripted/0", "m@scripted/1");
    assertThat(timeouts).containsExactly("m@scripted first_token");
    // Bound at 0; the sweep that finds it late runs within a quarter second of the deadline.
    assertThat(r.firstTokenAt)
        .isBetween(2 * SECOND, 2 * SECOND + AttemptDeadlines.SWEEP_NANOS + SECOND);
  }

  @Test
  void theFirstTokenDeadlineFollowsTheTiersObjectiveByDefault() {
    script.stalls.add("m@scripted/0");

    // The default tier's TTFT objective is 3 s: ten times that, 30 s.
    GatewayCoreTest.Recorder r = send("{}", true);

    assertThat(bindings(r)).hasSize(2);
    assertThat(r.firstTokenAt).isBetween(30 * SECOND, 31 * SECOND);
  }

  @Test
  void anAttemptPastItsTotalDeadlineEndsItsStreamWithATimeout() {
    script.stallsMidway.add("m@scripted/0");

    GatewayCoreTest.Recorder r = send("{total: 5s}", true);

    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.TIMEOUT);
    assertThat(r.error().afterFirstToken()).isTrue();
    assertThat(r.error().message()).contains("did not finish within 5000 ms");
    assertThat(timeouts).containsExactly("m@scripted total");
    assertThat(bindings(r)).hasSize(1);
  }

  @Test
  void aWholeAnswerPastItsTotalDeadlineIsNotTriedAgain() {
    script.stallsMidway.add("m@scripted/0");

    GatewayCoreTest.Recorder r = send("{total: 5s}", false);

    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.TIMEOUT);
    assertThat(script.submitted("m@scripted/1")).isZero();
  }
}
