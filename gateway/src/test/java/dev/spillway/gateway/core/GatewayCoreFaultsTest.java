package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.emulator.Crash;
import dev.spillway.backends.emulator.Faults;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Faults of emulated pools through the core: from configuration and set at run time. */
class GatewayCoreFaultsTest {

  private static final long SECOND = 1_000_000_000L;
  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(
            Path.of(GatewayCoreFaultsTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  private final VirtualClock clock = new VirtualClock();

  private GatewayCore core(String faults) {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    pools:\n"
                    + "      - name: tiny\n"
                    + "        kind: emulated\n"
                    + "        accelerator: tiny.1\n"
                    + "        replicas: 1\n"
                    + faults,
                "test");
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Profiles.class, profiles)), GatewayMetrics.NOOP);
  }

  private GatewayCoreTest.Recorder submit(GatewayCore core, String id, int output) {
    GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
    core.submit(
        new GatewayRequest(
            id, "llama-3.1-8b", 50, output, "", id.hashCode(), SamplingParams.DEFAULT,
            ServiceTier.DEFAULT, "t", Optional.empty(), false),
        r);
    return r;
  }

  @Test
  void configuredFaultsFailRequestsWithABackendError() {
    GatewayCore core = core("        faults: {errorRate: 1}\n");
    GatewayCoreTest.Recorder r = submit(core, "a", 4);
    clock.run();
    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.BACKEND);
    assertThat(r.error().message()).contains("injected error");
  }

  @Test
  void badConfiguredFaultsNameTheField() {
    assertThatThrownBy(() -> core("        faults: {latencySpike: {probability: 0.5, duration: soon}}\n"))
        .hasMessageContaining("pool tiny: faults.latencySpike.duration: soon (expected: a duration");
  }

  @Test
  void faultsOnAPoolThatIsNotEmulatedAreAConfigurationError() {
    assertThatThrownBy(
            () ->
                new ConfigLoader(name -> null)
                    .parse(
                        "models:\n  - name: m\n    pools:\n      - kind: upstream\n"
                            + "        url: http://127.0.0.1:9/v1\n        faults: {errorRate: 1}\n",
                        "test"))
        .hasMessageEndingWith("faults: set on a pool of kind upstream (expected: only on emulated pools)");
  }

  @Test
  void aCrashSetAtRunTimeFailsTheStreamInFlightAndTheReplicaComesBack() throws Exception {
    GatewayCore core = core("");
    Faults crash = Faults.NONE.withCrash(new Crash(Duration.ofMillis(100), Duration.ofSeconds(30)));
    assertThat(core.setFaults("tiny", crash).toCompletableFuture().get()).isEqualTo(crash);
    GatewayCoreTest.Recorder inFlight = submit(core, "long", 1400);
    clock.runUntil(SECOND);
    assertThat(inFlight.events).anyMatch(e -> e instanceof TokenEvent.Token);
    assertThat(inFlight.error().afterFirstToken()).isTrue();

    clock.runUntil(40 * SECOND);
    GatewayCoreTest.Recorder after = submit(core, "after", 4);
    clock.run();
    assertThat(after.finish().usage().completionTokens()).isEqualTo(4);
  }

  @Test
  void anUnknownPoolIsNoSuchElement() {
    GatewayCore core = core("");
    assertThatThrownBy(() -> core.setFaults("nowhere", Faults.NONE).toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(NoSuchElementException.class);
  }

  /** Two pools of the tiny accelerator taking turns: {@code faulty} with the given faults and time limiter. */
  private GatewayCore twoPools(String faults, String timeLimiter) {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    routing: round-robin\n"
                    + "    pools:\n"
                    + "      - {name: faulty, kind: emulated, accelerator: tiny.1, replicas: 1,\n"
                    + "         faults: " + faults + ",\n"
                    + "         resilience: {timeLimiter: " + timeLimiter + "}}\n"
                    + "      - {name: sound, kind: emulated, accelerator: tiny.1, replicas: 1}\n",
                "test");
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Profiles.class, profiles)), GatewayMetrics.NOOP);
  }

  @Test
  void aLatencySpikeMeetsTheFirstTokenDeadlineAndTheRequestMovesToAnotherPool() {
    GatewayCore core = twoPools("{latencySpike: {probability: 1, duration: 60s}}", "{firstToken: 2s}");
    GatewayCoreTest.Recorder r = submit(core, "spiked", 4);
    clock.runUntil(30 * SECOND);

    assertThat(r.finish().usage().completionTokens()).isEqualTo(4);
    assertThat(r.events.stream().filter(GatewayListener.Binding.class::isInstance)
            .map(b -> ((GatewayListener.Binding) b).pool()))
        .containsExactly("faulty", "sound");
    assertThat(r.firstTokenAt).isLessThan(3 * SECOND);
  }

  @Test
  void aStallMeetsTheTotalDeadlineAndTheStreamEndsWithATimeout() {
    GatewayCore core = twoPools("{stall: {probability: 1, duration: 60s}}", "{total: 5s}");
    GatewayCoreTest.Recorder r = submit(core, "stalled", 200);
    clock.runUntil(30 * SECOND);

    assertThat(r.events).anyMatch(e -> e instanceof TokenEvent.Token);
    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.TIMEOUT);
    assertThat(r.error().afterFirstToken()).isTrue();
    assertThat(r.endedAt).isLessThan(6 * SECOND);
  }
}
