package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.config.AutoscaleConfig;
import java.time.Duration;
import java.util.function.IntSupplier;

/**
 * Scales one pool between its {@code min} and {@code max} replicas on the model's clock.
 *
 * <p>Implementation notes. Every {@code interval} the autoscaler reads its metric over the serving
 * replicas and wants {@code ceil(total / target)} of them, within min and max (like Kubernetes'
 * horizontal autoscaler: {@code ceil(current × value / target)}). Wanting more than are serving or
 * provisioning asks for the difference at once; wanting fewer retires the difference only after it
 * has wanted fewer at every evaluation for {@code scaleDownAfter}, and then down to the most it wanted
 * meanwhile. With no serving replica and requests queued it wants at least one. It evaluates only
 * while something could change — requests queued or in flight, or more replicas than the minimum —
 * and a request arriving at an idle pool wakes it, one interval later; so a simulation on a virtual
 * clock still ends.
 */
final class Autoscaler {

  private final AutoscaleConfig config;
  private final Duration provisioningDelay;
  private final PoolReplicas replicas;
  private final IntSupplier queued;
  private final Clock clock;
  private boolean armed;
  private long lowSince = -1;
  private int wantedWhileLow;

  /**
   * @param queued requests waiting in the model's queue, read on the model's clock
   */
  Autoscaler(
      AutoscaleConfig config, Duration provisioningDelay, PoolReplicas replicas, IntSupplier queued,
      Clock clock) {
    this.config = config;
    this.provisioningDelay = provisioningDelay;
    this.replicas = replicas;
    this.queued = queued;
    this.clock = clock;
  }

  /** Starts evaluating; on the model's clock. */
  void start() {
    replicas.onDemand(this::wake);
    wake();
  }

  private void wake() {
    if (!armed) {
      armed = true;
      clock.scheduleAfter(config.interval().toNanos(), this::evaluate);
    }
  }

  private void evaluate() {
    armed = false;
    long now = clock.nanoTime();
    int current = replicas.serving() + replicas.provisioning();
    int wanted = wanted();
    if (wanted > current) {
      replicas.add(wanted - current, provisioningDelay);
      lowSince = -1;
    } else if (wanted < current) {
      if (lowSince < 0) {
        lowSince = now;
        wantedWhileLow = wanted;
      } else {
        wantedWhileLow = Math.max(wantedWhileLow, wanted);
      }
      if (now - lowSince >= config.scaleDownAfter().toNanos()) {
        replicas.retire(current - wantedWhileLow);
        lowSince = -1;
      }
    } else {
      lowSince = -1;
    }
    if (!idle()) {
      wake();
    }
  }

  /** The replicas the metric asks for, within min and max. */
  int wanted() {
    int waiting = queued.getAsInt();
    double total = 0;
    for (Replica r : replicas.slots()) {
      if (!replicas.serving(r)) {
        continue;
      }
      LoadSnapshot load = r.load();
      if (config.metric() == AutoscaleConfig.Metric.QUEUE_DEPTH) {
        total += load.inFlight();
      } else {
        Capacity capacity = r.capacity();
        double busy =
            capacity.maxRunningSequences() == 0
                ? 0
                : (double) load.running() / capacity.maxRunningSequences();
        total += Math.min(1, Math.max(busy, load.kvUsage()));
      }
    }
    if (config.metric() == AutoscaleConfig.Metric.QUEUE_DEPTH) {
      total += waiting;
    }
    // a hair of tolerance so that exactly on target is not one more
    int wanted = (int) Math.ceil(total / config.target() - 1e-9);
    if (waiting > 0 && replicas.serving() == 0) {
      wanted = Math.max(wanted, 1);
    }
    return Math.max(config.min(), Math.min(config.max(), wanted));
  }

  /** Nothing could change without new requests: none queued or in flight, and at the minimum. */
  private boolean idle() {
    if (queued.getAsInt() > 0
        || replicas.serving() + replicas.provisioning() > config.min()) {
      return false;
    }
    for (Replica r : replicas.slots()) {
      if (replicas.serving(r) && r.load().inFlight() > 0) {
        return false;
      }
    }
    return true;
  }
}
