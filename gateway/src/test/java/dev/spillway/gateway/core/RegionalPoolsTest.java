package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A request held to some of its model's pools (a Bedrock inference profile's regions) runs only there. */
class RegionalPoolsTest {

  static final String CONFIG =
      "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    routing: least-outstanding\n"
          + "    cache: {maxEntries: 100}\n"
          + "    pools:\n"
          + "      - {name: llama-us, kind: emulated, accelerator: tiny.1, replicas: 2, region: us-east-1}\n"
          + "      - {name: llama-eu, kind: emulated, accelerator: tiny.1, replicas: 1, region: eu-west-1}\n";

  private final VirtualClock clock = new VirtualClock();

  private GatewayCore core() throws Exception {
    Profiles profiles =
        Profiles.withOverrides(Path.of(RegionalPoolsTest.class.getResource("/test-profiles.yaml").toURI()));
    GatewayConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test");
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Profiles.class, profiles)), GatewayMetrics.NOOP);
  }

  private static GatewayRequest request(String id, Set<String> pools) {
    return new GatewayRequest(
            id, "llama-3.1-8b", 50, 5, "", id.hashCode(), SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
            Optional.empty(), false)
        .withPools(pools);
  }

  @Test
  void requestsHeldToOnePoolAllRunThereWhileTheOthersStayFree() throws Exception {
    GatewayCore core = core();
    List<GatewayCoreTest.Recorder> recorders =
        List.of("a", "b", "c", "d").stream()
            .map(id -> {
              GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
              core.submit(request(id, Set.of("llama-eu")), r);
              return r;
            })
            .toList();
    clock.run();

    for (GatewayCoreTest.Recorder r : recorders) {
      assertThat(r.events.get(0)).isInstanceOfSatisfying(
          GatewayListener.Binding.class, b -> assertThat(b.pool()).isEqualTo("llama-eu"));
      assertThat(r.finish().usage().completionTokens()).isEqualTo(5);
    }
  }

  @Test
  void aRequestHeldToNoneOfItsModelsPoolsIsInvalid() throws Exception {
    GatewayCore core = core();
    GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
    core.submit(request("x", Set.of("elsewhere")), r);
    clock.run();

    assertThat(r.error().kind()).isEqualTo(GatewayError.Kind.INVALID_REQUEST);
    assertThat(r.error().message()).isEqualTo("pools: [elsewhere] (expected: pools of llama-3.1-8b)");
  }
}
