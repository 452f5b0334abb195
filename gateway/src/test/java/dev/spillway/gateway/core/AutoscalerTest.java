package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.Gateway.PoolStatus;
import dev.spillway.gateway.core.Gateway.ReplicaStatus;
import dev.spillway.gateway.core.PoolBill.ReplicaCount;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A pool that scales with a step load, on a virtual clock over emulated replicas. */
class AutoscalerTest {

  private static final long S = 1_000_000_000L;
  private static final String POOL = "llama-3.1-8b@tiny";

  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(
            Path.of(AutoscalerTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  private final VirtualClock clock = new VirtualClock();

  private GatewayCore core(String pool) {
    String yaml =
        "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    routing: least-outstanding\n"
            + "    maxQueueWait: 10m\n"
            + "    queueCapacity: {priority: 10000, default: 10000, flex: 10000, batch: 10000}\n"
            + "    pools:\n"
            + "      - kind: emulated\n"
            + "        accelerator: tiny.1\n"
            + pool;
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Profiles.class, profiles)), GatewayMetrics.NOOP);
  }

  /** 1 to 3 replicas on requests per replica, each new one serving a minute after it is asked for. */
  private static final String AUTOSCALED =
      "        replicas: 1\n"
          + "        autoscale: {min: 1, max: 3, metric: queue-depth, target: 4, interval: 10s,"
          + " scaleDownAfter: 30s, provisioningDelay: 60s}\n";

  /** Where each request was bound, when, and whether its replica was serving then. */
  private static final class Bindings {
    final List<long[]> times = new ArrayList<>();
    final List<String> replicas = new ArrayList<>();
    final List<String> statesAtBinding = new ArrayList<>();
    int finished;
    int failed;
  }

  /** {@code perSecond} requests a second from 0 to {@code seconds}; every binding checked against the pool's state. */
  private Bindings stepLoad(GatewayCore core, int perSecond, int seconds) {
    Bindings out = new Bindings();
    long gap = S / perSecond;
    long start = clock.nanoTime();
    for (int i = 0; i < perSecond * seconds; i++) {
      String id = "r" + i;
      clock.schedule(
          start + i * gap,
          () ->
              core.submit(
                  new GatewayRequest(
                      id, "llama-3.1-8b", 100, 200, "", id.hashCode(), SamplingParams.DEFAULT,
                      ServiceTier.DEFAULT, "t", Optional.empty(), false),
                  new GatewayListener() {
                    @Override
                    public void onBound(Binding binding) {
                      out.times.add(new long[] {clock.nanoTime()});
                      out.replicas.add(binding.replica());
                      out.statesAtBinding.add(stateOf(core, binding.replica()));
                    }

                    @Override
                    public void onToken(TokenEvent.Token token) {}

                    @Override
                    public void onFinish(TokenEvent.Finish finish, Binding binding) {
                      out.finished++;
                    }

                    @Override
                    public void onError(GatewayError error) {
                      out.failed++;
                    }
                  }));
    }
    return out;
  }

  private static String stateOf(GatewayCore core, String replica) {
    for (PoolStatus pool : core.pools().toCompletableFuture().join()) {
      for (ReplicaStatus r : pool.replicas()) {
        if (r.id().equals(replica)) {
          return r.state();
        }
      }
    }
    return "off";
  }

  @Test
  void aStepLoadScalesUpAfterTheIntervalAndTheProvisioningDelayToMaxAndBackToMinWhenIdle() {
    GatewayCore core = core(AUTOSCALED);
    Bindings load = stepLoad(core, 5, 200);
    clock.run(); // ends: the autoscaler rests once the pool is back at its minimum

    assertThat(load.finished).isEqualTo(1000);
    assertThat(load.failed).isZero();
    PoolBill bill = core.bills().toCompletableFuture().join().get(0);
    assertThat(bill.pool()).isEqualTo(POOL);
    List<ReplicaCount> changes = bill.changes();
    // one replica is swamped; the first evaluation (10 s) asks for two more, capped at max = 3,
    // which serve after the 60 s provisioning delay
    assertThat(changes.get(0)).isEqualTo(new ReplicaCount(0, 1, 1));
    assertThat(changes.get(1)).isEqualTo(new ReplicaCount(10 * S, 3, 1));
    assertThat(changes.get(2)).isEqualTo(new ReplicaCount(70 * S, 3, 3));
    assertThat(bill.peakBilled()).isEqualTo(3);
    // after the load, back to min once fewer were wanted for scaleDownAfter, at an evaluation
    ReplicaCount last = changes.get(changes.size() - 1);
    assertThat(last.billed()).isEqualTo(1);
    assertThat(last.serving()).isEqualTo(1);
    assertThat(last.atNanos()).isGreaterThanOrEqualTo(230 * S);
    assertThat(last.atNanos() % (10 * S)).isZero();
    assertThat(changes).hasSize(4);
    // the pool's status agrees
    PoolStatus status = core.pools().toCompletableFuture().join().get(0);
    assertThat(status.serving()).isEqualTo(1);
    assertThat(status.provisioning()).isZero();
    assertThat(status.replicas()).hasSize(1);
  }

  @Test
  void theBillIsTheExactIntegralOfTheReplicaCountInVirtualTime() {
    GatewayCore core = core(AUTOSCALED);
    stepLoad(core, 5, 200);
    clock.run();
    clock.advance(15 * S);
    PoolBill bill = core.bills().toCompletableFuture().join().get(0);
    assertThat(bill.endNanos()).isEqualTo(clock.nanoTime());
    long integral = 0;
    List<ReplicaCount> changes = bill.changes();
    for (int i = 0; i < changes.size(); i++) {
      long until = i + 1 < changes.size() ? changes.get(i + 1).atNanos() : clock.nanoTime();
      integral += changes.get(i).billed() * (until - changes.get(i).atNanos());
    }
    long scaledDownAt = changes.get(3).atNanos();
    assertThat(integral)
        .isEqualTo(10 * S + 3 * (scaledDownAt - 10 * S) + (clock.nanoTime() - scaledDownAt));
    assertThat(bill.replicaNanos()).isEqualTo(integral);
    assertThat(core.pools().toCompletableFuture().join().get(0).replicaSeconds())
        .isEqualTo(integral / 1e9);
  }

  @Test
  void requestsAreNeverRoutedToAProvisioningOrRetiredReplica() {
    GatewayCore core = core(AUTOSCALED);
    Bindings load = stepLoad(core, 5, 200);
    clock.run();
    assertThat(load.statesAtBinding).hasSize(1000).containsOnly("serving");
    for (int i = 0; i < load.replicas.size(); i++) {
      if (!load.replicas.get(i).equals(POOL + "/0")) {
        assertThat(load.times.get(i)[0])
            .as("bound to a new replica only once it serves")
            .isGreaterThanOrEqualTo(70 * S);
      }
    }
    assertThat(load.replicas).contains(POOL + "/1", POOL + "/2");
  }

  @Test
  void aFixedPoolIsBilledItsReplicasTimesTheRun() {
    GatewayCore core = core("        replicas: 2\n");
    stepLoad(core, 2, 20);
    clock.run();
    PoolBill bill = core.bills().toCompletableFuture().join().get(0);
    assertThat(bill.replicaNanos()).isEqualTo(2 * clock.nanoTime());
    assertThat(bill.changes()).containsExactly(new ReplicaCount(0, 2, 2));
  }

  @Test
  void aPoolAtZeroStartsOneReplicaWhenRequestsArrive() {
    GatewayCore core =
        core(
            "        autoscale: {min: 0, max: 2, target: 4, interval: 10s, scaleDownAfter: 30s,"
                + " provisioningDelay: 1m}\n");
    clock.run(); // one evaluation finds nothing to do, and the autoscaler rests
    assertThat(clock.nanoTime()).isEqualTo(10 * S);
    assertThat(core.bills().toCompletableFuture().join().get(0).replicaNanos())
        .as("nothing billed while nothing runs").isZero();
    Bindings load = stepLoad(core, 1, 2);
    clock.run();
    assertThat(load.finished).isEqualTo(2);
    PoolBill bill = core.bills().toCompletableFuture().join().get(0);
    // the first request wakes the autoscaler; it asks one interval later; the replica serves a
    // minute after that, takes both requests, and is retired once idle for scaleDownAfter
    assertThat(bill.changes().get(1)).isEqualTo(new ReplicaCount(20 * S, 1, 0));
    assertThat(bill.changes().get(2)).isEqualTo(new ReplicaCount(80 * S, 1, 1));
    assertThat(load.times.get(0)[0]).isEqualTo(80 * S);
    ReplicaCount last = bill.changes().get(bill.changes().size() - 1);
    assertThat(last.billed()).isZero();
  }
}
