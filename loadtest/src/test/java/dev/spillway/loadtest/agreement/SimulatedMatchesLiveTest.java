package dev.spillway.loadtest.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.GatewayApp;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.loadtest.http.DriverOptions;
import dev.spillway.loadtest.http.LoadDriver;
import dev.spillway.loadtest.http.RunResult;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.sim.Simulator;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.Workload;
import dev.spillway.loadtest.workload.WorkloadOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same small workload and configuration, once simulated on the virtual clock and once live in
 * real time through the gateway's HTTP server: median TTFT and TPOT agree within 10%.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimulatedMatchesLiveTest {

  private static final String CONFIG =
      "server: {host: 127.0.0.1, port: 0}\n"
          + "ledger: {enabled: false}\n"
          + "models:\n"
          + "  - name: llama-3.3-70b\n"
          + "    routing: least-outstanding\n"
          + "    pools:\n"
          + "      - {kind: emulated, accelerator: trn2.48xlarge, tp: 64, replicas: 2}\n";

  @Test
  void medianTtftAndTpotAgreeWithinTenPercent() throws Exception {
    GatewayConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test");
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Poisson(3.0), "llama-3.3-70b")
            .requests(40)
            .inputLength(new LengthSpec.Fixed(1000))
            .outputLength(new LengthSpec.Fixed(48))
            .stream(true)
            .seed(11)
            .build();

    Simulator.Result simulated =
        new Simulator(config, Profiles.builtIn()).runOpenLoop(Workload.of(options).iterator());
    Summary sim = Summary.of(simulated.records(), SloGoals.NONE, Summary.measuredDurationNanos(simulated.records()));

    Vertx vertx = Vertx.vertx();
    try {
      GatewayApp app = await(GatewayApp.start(vertx, config, Profiles.builtIn()));
      DriverOptions driver =
          DriverOptions.of(URI.create("http://127.0.0.1:" + app.port() + "/v1"))
              .withTimeout(Duration.ofSeconds(30));
      RunResult result = await(LoadDriver.run(vertx, Workload.of(options), driver, null));
      Summary live = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      await(app.close());

      System.out.printf(
          java.util.Locale.ROOT,
          "agreement: median TTFT live %.1f ms, simulated %.1f ms; median TPOT live %.2f ms, simulated %.2f ms%n",
          live.ttft().medianMs(), sim.ttft().medianMs(), live.tpot().medianMs(), sim.tpot().medianMs());
      assertThat(live.completed()).isEqualTo(40);
      assertThat(sim.completed()).isEqualTo(40);
      assertThat(live.ttft().medianMs())
          .as("median TTFT: live %.1f ms, simulated %.1f ms", live.ttft().medianMs(), sim.ttft().medianMs())
          .isBetween(sim.ttft().medianMs() * 0.9, sim.ttft().medianMs() * 1.1);
      assertThat(live.tpot().medianMs())
          .as("median TPOT: live %.2f ms, simulated %.2f ms", live.tpot().medianMs(), sim.tpot().medianMs())
          .isBetween(sim.tpot().medianMs() * 0.9, sim.tpot().medianMs() * 1.1);
    } finally {
      await(vertx.close());
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
