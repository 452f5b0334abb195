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
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A request that fails before its first token moves to a replica it has not failed on. */
class FailoverTest {

  private final VirtualClock clock = new VirtualClock();
  private final Script script = new Script();

  private GatewayCoreTest.Recorder run(String pools) {
    return run(pools, true);
  }

  private GatewayCoreTest.Recorder run(String pools, boolean committed) {
    return runYaml("models:\n  - name: m\n    routing: least-outstanding\n    pools:\n" + pools, committed);
  }

  private GatewayCoreTest.Recorder runYaml(String yaml, boolean committed) {
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    GatewayCore core =
        new GatewayCore(
            config, clock, new BackendContext(clock, Map.of(Script.class, script)), GatewayMetrics.NOOP);
    GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
    r.committed = committed;
    core.submit(
        new GatewayRequest(
            "r", "m", 10, 1, "", 1, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
            Optional.empty(), false),
        r);
    clock.run();
    return r;
  }

  private static List<Binding> bindings(GatewayCoreTest.Recorder r) {
    return r.events.stream().filter(Binding.class::isInstance).map(Binding.class::cast).toList();
  }

  @Test
  void retriesOnAnotherReplicaThanTheOneThatFailed() {
    script.down("m@scripted/0");
    GatewayCoreTest.Recorder r = run("      - kind: scripted\n        replicas: 3\n");

    assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class);
    assertThat(bindings(r)).extracting(Binding::replica, Binding::attempts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("m@scripted/0", 1),
            org.assertj.core.groups.Tuple.tuple("m@scripted/1", 2));
    assertThat(script.submitted("m@scripted/0")).isEqualTo(1);
  }

  @Test
  void movesToAnotherPoolWhenThePoolsReplicasFailed() {
    script.down("a/0");
    GatewayCoreTest.Recorder r =
        run(
            "      - {kind: scripted, name: a, replicas: 1}\n"
                + "      - {kind: scripted, name: b, replicas: 1}\n");

    assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class);
    assertThat(bindings(r)).extracting(Binding::pool).containsExactly("a", "b");
    assertThat(bindings(r).get(1).attempts()).isEqualTo(2);
  }

  @Test
  void triesTheSameReplicaAgainWhenNoOtherIsLeft() {
    script.down("m@scripted/0");
    GatewayCoreTest.Recorder r = run("      - kind: scripted\n        replicas: 1\n");

    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.BACKEND);
    assertThat(script.submitted("m@scripted/0")).isEqualTo(2);
    assertThat(bindings(r)).extracting(Binding::attempts).containsExactly(1, 2);
  }

  @Test
  void aWholeAnswerThatBreaksMidwayIsRetriedUnseen() {
    script.breaksMidway.add("a/0");
    GatewayCoreTest.Recorder r =
        run("      - {kind: scripted, name: a, replicas: 1}\n"
            + "      - {kind: scripted, name: b, replicas: 1}\n", false);

    assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class);
    assertThat(bindings(r)).extracting(Binding::pool, Binding::attempts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 1), org.assertj.core.groups.Tuple.tuple("b", 2));
  }

  @Test
  void aStreamThatBreaksMidwayEndsWithAnErrorAfterItsTokens() {
    script.breaksMidway.add("a/0");
    GatewayCoreTest.Recorder r =
        run("      - {kind: scripted, name: a, replicas: 1}\n"
            + "      - {kind: scripted, name: b, replicas: 1}\n", true);

    assertThat(r.error().afterFirstToken()).isTrue();
    assertThat(bindings(r)).extracting(Binding::pool).containsExactly("a");
    assertThat(script.submitted("b/0")).isZero();
  }

  private static final String FALLBACKS =
      "models:\n"
          + "  - name: m\n"
          + "    fallbacks: [n, o]\n"
          + "    pools: [{kind: scripted, name: a, replicas: 1}]\n"
          + "  - name: n\n"
          + "    pools: [{kind: scripted, name: b, replicas: 1}]\n"
          + "  - name: o\n"
          + "    pools: [{kind: scripted, name: c, replicas: 1}]\n";

  @Test
  void fallsBackToTheNextModelWhenEveryAttemptOnItsOwnFailed() {
    script.down("a/0");
    GatewayCoreTest.Recorder r = runYaml(FALLBACKS, true);

    assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class);
    assertThat(bindings(r)).extracting(Binding::pool, Binding::attempts)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 1), org.assertj.core.groups.Tuple.tuple("a", 2),
            org.assertj.core.groups.Tuple.tuple("b", 3));
    assertThat(script.submitted("c/0")).isZero();
  }

  @Test
  void goesDownTheFallbacksInOrderAndGivesUpAfterTheLast() {
    script.down("a/0");
    script.down("b/0");
    script.down("c/0");
    GatewayCoreTest.Recorder r = runYaml(FALLBACKS, true);

    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.BACKEND);
    assertThat(r.error().afterFirstToken()).isFalse();
    assertThat(bindings(r)).extracting(Binding::pool).containsExactly("a", "a", "b", "b", "c", "c");
    assertThat(bindings(r).get(5).attempts()).isEqualTo(6);
  }
}
