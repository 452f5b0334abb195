package dev.spillway.loadtest.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.loadtest.metrics.PredictionErrors;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.TimeSeries;
import dev.spillway.loadtest.workload.PlannedRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SimulatorTest {

  private static final String FLEET =
      "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    routing: ROUTING\n"
          + "    pools:\n"
          + "      - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 2}\n"
          + "      - {kind: emulated, accelerator: trn2.48xlarge, tp: 8, replicas: 1}\n";

  private static GatewayConfig fleet(String routing) {
    return new ConfigLoader(name -> null).parse(FLEET.replace("ROUTING", routing), "test");
  }

  private static Iterator<PlannedRequest> poisson(int n, double rate, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<PlannedRequest> out = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < n; i++) {
      t += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
      out.add(new PlannedRequest(i, t, "llama-3.1-8b", "t", ServiceTier.DEFAULT, 512, 64, -1, true, false));
    }
    return out.iterator();
  }

  @Test
  void atModerateLoadAnEmulatedPoolPredictsTtftWithin20PercentAndTpotWithin10() {
    // Four H100 pairs serve llama-3.3-70b at about 30 req/s of this mix; 15 req/s is half of that.
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n"
                    + "  - name: llama-3.3-70b\n"
                    + "    routing: least-outstanding\n"
                    + "    pools:\n"
                    + "      - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, tp: 2, replicas: 4}\n",
                "test");
    SplittableRandom random = new SplittableRandom(7);
    List<PlannedRequest> planned = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 2000; i++) {
      t += (long) (-Math.log(1 - random.nextDouble()) / 15 * 1e9);
      int prompt = 500 + random.nextInt(1000);
      int output = 125 + random.nextInt(250);
      planned.add(new PlannedRequest(
          i, t, "llama-3.3-70b", "t", ServiceTier.DEFAULT, prompt, output, -1, true, i < 200));
    }
    List<RequestRecord> records =
        new Simulator(config, Profiles.builtIn()).runOpenLoop(planned.iterator()).records();

    assertThat(records).allMatch(RequestRecord::hasPrediction);
    PredictionErrors errors = PredictionErrors.byPool(records).get("llama-3.3-70b@p5");
    assertThat(errors.ttftSamples()).isEqualTo(1800);
    assertThat(errors.ttftMedianAbsError()).isLessThanOrEqualTo(0.20);
    assertThat(errors.tpotMedianAbsError()).isLessThanOrEqualTo(0.10);
  }

  @Test
  void openLoopRunsEveryRequestThroughTheGatewayCore() {
    Simulator.Result result =
        new Simulator(fleet("least-outstanding"), Profiles.builtIn()).runOpenLoop(poisson(2000, 50, 1));
    assertThat(result.records()).hasSize(2000);
    assertThat(result.records()).allMatch(RequestRecord::succeeded);
    for (RequestRecord r : result.records()) {
      assertThat(r.outputTokens()).isEqualTo(64);
      assertThat(r.tokenNanos()).hasSize(64);
      assertThat(r.firstTokenNanos()).isGreaterThan(r.intendedStartNanos());
      assertThat(r.endNanos()).isGreaterThanOrEqualTo(r.firstTokenNanos());
      assertThat(r.costUsd()).isPositive();
    }
    Map<String, Integer> share = new TreeMap<>();
    result.records().forEach(r -> share.merge(r.pool(), 1, Integer::sum));
    assertThat(share).containsOnlyKeys("llama-3.1-8b@p5", "llama-3.1-8b@trn2");
    // 2000 requests at 50/s take about 40 s of virtual time
    assertThat(result.durationNanos() / 1e9).isBetween(35.0, 60.0);
  }

  @Test
  void theSameSeedGivesTheSameRun() {
    Simulator simulator = new Simulator(fleet("power-of-two"), Profiles.builtIn());
    Simulator.Result a = simulator.runOpenLoop(poisson(500, 40, 7));
    Simulator.Result b = simulator.runOpenLoop(poisson(500, 40, 7));
    assertThat(a.durationNanos()).isEqualTo(b.durationNanos());
    for (int i = 0; i < a.records().size(); i++) {
      assertThat(a.records().get(i).firstTokenNanos()).isEqualTo(b.records().get(i).firstTokenNanos());
      assertThat(a.records().get(i).pool()).isEqualTo(b.records().get(i).pool());
    }
  }

  @Test
  void closedLoopKeepsAtMostTheConcurrencyInFlight() {
    Simulator.Result result =
        new Simulator(fleet("round-robin"), Profiles.builtIn()).runClosedLoop(poisson(300, 1, 3), 4);
    assertThat(result.records()).hasSize(300);
    // sort events by time: never more than four requests between send and end
    List<long[]> edges = new ArrayList<>();
    for (RequestRecord r : result.records()) {
      edges.add(new long[] {r.intendedStartNanos(), 1});
      edges.add(new long[] {r.endNanos(), -1});
    }
    edges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    int inFlight = 0;
    int most = 0;
    for (long[] e : edges) {
      inFlight += (int) e[1];
      most = Math.max(most, inFlight);
    }
    assertThat(most).isEqualTo(4);
  }

  @Test
  void aRunReportsEachPoolsReplicaSecondsAndReplicaCounts() {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    maxQueueWait: 10m\n"
                    + "    queueCapacity: {priority: 100000, default: 100000, flex: 100000, batch: 100000}\n"
                    + "    pools:\n"
                    + "      - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, tp: 1, replicas: 1}\n"
                    + "      - kind: emulated\n"
                    + "        accelerator: p5.48xlarge\n"
                    + "        dtype: fp8\n"
                    + "        tp: 1\n"
                    + "        name: burst\n"
                    + "        autoscale: {min: 0, max: 4, target: 8, interval: 10s, scaleDownAfter: 30s,"
                    + " provisioningDelay: 2m}\n",
                "test");
    Simulator.Result result =
        new Simulator(config, Profiles.builtIn()).runOpenLoop(poisson(18000, 150, 3));
    assertThat(result.records()).hasSize(18000).allMatch(RequestRecord::succeeded);
    assertThat(result.pools()).extracting(b -> b.pool()).containsExactly("llama-3.1-8b@p5", "burst");
    var fixed = result.pool("llama-3.1-8b@p5");
    assertThat(fixed.replicaNanos()).isEqualTo(result.durationNanos());
    var burst = result.pool("burst");
    assertThat(burst.changes().get(0).billed()).isZero();
    assertThat(burst.peakBilled()).isBetween(1, 4);
    assertThat(burst.changes().get(burst.changes().size() - 1).billed())
        .as("back to min when the run ends").isZero();
    assertThat(burst.replicaSeconds())
        .isEqualTo(burst.replicaSeconds(0, result.durationNanos()))
        .isPositive();
    Map<String, Integer> share = new TreeMap<>();
    result.records().forEach(r -> share.merge(r.pool(), 1, Integer::sum));
    assertThat(share).containsKeys("llama-3.1-8b@p5", "burst");
  }

  @Test
  void aCrashDrillShowsErrorsOnlyAtTheCrashAndServesWhatWaitedOnceThePoolRecovers() {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    pools:\n"
                    + "      - {kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 1,"
                    + " faults: {crash: {after: 10s, recoverAfter: 10s}}}\n",
                "test");
    List<RequestRecord> records =
        new Simulator(config, Profiles.builtIn()).runOpenLoop(poisson(200, 5, 11)).records();
    TimeSeries series = TimeSeries.of(records, TimeSeries.ONE_SECOND);

    // The streams in flight at the crash break mid-way, and the first requests sent to the dead
    // replica fail; then its circuit breaker opens, and what is sent while it is down waits in the
    // gateway's queue and is served once it recovers: failures in the second of the crash only.
    assertThat(series.errorKinds()).contains("stream_error");
    assertThat(series.buckets().get(10).errors("stream_error")).isPositive();
    for (TimeSeries.Bucket bucket : series.buckets()) {
      if (bucket.startSeconds() != 10) {
        assertThat(bucket.failed()).as("failed in the second from %s s", bucket.startSeconds()).isZero();
      }
    }
    List<RequestRecord> sentWhileDown =
        records.stream()
            .filter(r -> r.intendedStartNanos() >= 11_000_000_000L && r.intendedStartNanos() < 20_000_000_000L)
            .toList();
    assertThat(sentWhileDown).isNotEmpty().allMatch(RequestRecord::succeeded);
  }
}
