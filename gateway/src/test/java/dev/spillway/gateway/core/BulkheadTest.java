package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.BackendContext;
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
import org.junit.jupiter.api.Test;

/** A pool's bulkhead: the most requests in flight on each replica; the rest wait in the model's queue. */
class BulkheadTest {

  private static final long MS = 1_000_000L;

  @Test
  void aReplicaGetsNoMoreRequestsInFlightThanItsBulkheadAndTheRestWait() {
    VirtualClock clock = new VirtualClock();
    Script script = new Script();
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n  - name: m\n    pools:\n      - kind: scripted\n        replicas: 1\n"
                    + "        resilience: {bulkhead: {maxConcurrent: 2}}\n",
                "test");
    GatewayCore core =
        new GatewayCore(
            config, clock, new BackendContext(clock, Map.of(Script.class, script)), GatewayMetrics.NOOP);
    List<GatewayCoreTest.Recorder> clients = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
      core.submit(
          new GatewayRequest(
              "r" + i, "m", 10, 1, "", i, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
              Optional.empty(), false),
          r);
      clients.add(r);
    }

    clock.runUntil(50 * MS);
    assertThat(script.submitted("m@scripted/0")).isEqualTo(2);
    clock.run();
    assertThat(script.submitted("m@scripted/0")).isEqualTo(5);
    assertThat(clients)
        .allSatisfy(r -> assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class));
  }
}
