package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.core.PoolBill.ReplicaCount;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replica lifecycles and the replica-seconds bill, on a virtual clock with scripted loads. */
class PoolReplicasTest {

  private static final long S = 1_000_000_000L;

  /** A replica whose requests in flight the test sets. */
  static final class Scripted implements Replica {
    final String id;
    int inFlight;

    Scripted(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Capacity capacity() {
      return new Capacity(8, 100, 16, 256, 4096, 0);
    }

    @Override
    public LoadSnapshot load() {
      return new LoadSnapshot(inFlight, 0, 0, 100, 0);
    }

    @Override
    public boolean hasCapacityFor(InferenceRequest request) {
      return true;
    }

    @Override
    public Prediction predict(InferenceRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Submission submit(InferenceRequest request, TokenSink sink) {
      throw new UnsupportedOperationException();
    }
  }

  private final VirtualClock clock = new VirtualClock();
  private final Scripted a = new Scripted("p/0");
  private final Scripted b = new Scripted("p/1");
  private final Scripted c = new Scripted("p/2");
  private final Scripted d = new Scripted("p/3");
  private final PoolReplicas replicas = new PoolReplicas(List.of(a, b, c, d), 1, clock);

  private void at(long seconds, Runnable task) {
    clock.schedule(seconds * S, task);
  }

  @Test
  void theBillIsTheReplicaSecondsFromAskingToRemoval() {
    at(10, () -> assertThat(replicas.add(2, Duration.ofSeconds(60))).isEqualTo(2));
    at(
        100,
        () -> {
          a.inFlight = 2;
          c.inFlight = 1;
          assertThat(replicas.retire(1)).isEqualTo(1); // b is idle: off at once
        });
    at(130, () -> replicas.retire(1)); // c has a request: it drains
    at(
        150,
        () -> {
          c.inFlight = 0;
          replicas.replicaEvent(c); // its last request ended: removed
        });
    clock.runUntil(200 * S);

    PoolBill bill = replicas.bill("p", "m");
    // a: 0..200 s, b: 10..100 s, c: 10..150 s
    assertThat(bill.replicaNanos()).isEqualTo((200 + 90 + 140) * S);
    assertThat(bill.replicaSeconds()).isEqualTo(430.0);
    assertThat(bill.replicaSeconds(0, 70 * S)).isEqualTo(70 + 60 + 60);
    assertThat(bill.changes())
        .containsExactly(
            new ReplicaCount(0, 1, 1),
            new ReplicaCount(10 * S, 3, 1),
            new ReplicaCount(70 * S, 3, 3),
            new ReplicaCount(100 * S, 2, 2),
            new ReplicaCount(130 * S, 2, 1),
            new ReplicaCount(150 * S, 1, 1));
    assertThat(bill.peakBilled()).isEqualTo(3);
  }

  @Test
  void onlyServingReplicasAreRoutable() {
    at(10, () -> replicas.add(1, Duration.ofSeconds(60)));
    clock.runUntil(11 * S);
    assertThat(replicas.serving(a)).isTrue();
    assertThat(replicas.state(b)).isEqualTo(PoolReplicas.State.PROVISIONING);
    assertThat(replicas.serving(b)).as("provisioning").isFalse();
    assertThat(replicas.serving(c)).as("off").isFalse();
    clock.runUntil(70 * S);
    assertThat(replicas.serving(b)).isTrue();
    a.inFlight = 3;
    replicas.retire(1);
    assertThat(replicas.state(b)).as("the idler one goes").isEqualTo(PoolReplicas.State.OFF);
    b.inFlight = 0;
    a.inFlight = 1;
    replicas.retire(1);
    assertThat(replicas.state(a)).isEqualTo(PoolReplicas.State.DRAINING);
    assertThat(replicas.serving(a)).as("draining").isFalse();
  }

  @Test
  void aReplicaRetiredWhileProvisioningNeverServesAndStopsBeingBilled() {
    at(10, () -> replicas.add(2, Duration.ofSeconds(60)));
    at(40, () -> assertThat(replicas.retire(1)).isEqualTo(1));
    clock.runUntil(100 * S);
    assertThat(replicas.serving()).isEqualTo(2);
    assertThat(replicas.provisioning()).isZero();
    assertThat(replicas.bill("p", "m").replicaNanos()).isEqualTo((100 + 90 + 30) * S);
  }

  @Test
  void askingForMoreTakesBackADrainingReplicaFirst() {
    at(10, () -> replicas.add(1, Duration.ofSeconds(60)));
    at(
        100,
        () -> {
          a.inFlight = 1;
          b.inFlight = 2;
          replicas.retire(1);
        });
    at(110, () -> replicas.add(1, Duration.ofSeconds(60)));
    clock.runUntil(111 * S);
    assertThat(replicas.serving(a)).as("back to serving at once").isTrue();
    assertThat(replicas.provisioning()).isZero();
    assertThat(replicas.billed()).isEqualTo(2);
  }
}
