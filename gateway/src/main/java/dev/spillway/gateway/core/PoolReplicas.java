package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.time.Clock;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replicas of one pool and where each is in its life: off, provisioning (asked for, billed, not
 * yet routable), serving, or draining (billed, no new requests, removed once its last request ends).
 *
 * <p>Implementation notes. A pool is made with as many replicas as it may ever have, its slots; a fixed
 * pool's are all serving for good. A slot that is off is idle and costs nothing; asking for a replica
 * turns an off slot into a provisioning one whose timer makes it serving after the provisioning
 * delay, so replica ids (and metric labels) stay within the pool's maximum. Asking for more first
 * takes back draining replicas, which are still up. Every change goes to the {@link ReplicaMeter} at
 * the instant it happens. Everything here runs on the pool's model thread.
 */
final class PoolReplicas {

  enum State {
    OFF,
    PROVISIONING,
    SERVING,
    DRAINING
  }

  private final List<Replica> slots;
  private final Map<Replica, Integer> index = new IdentityHashMap<>();
  private final State[] states;
  private final long[] readyAt;
  private final Clock clock;
  private final ReplicaMeter meter;
  private Runnable onServing = () -> {};
  private Runnable onDemand = () -> {};
  private int provisioning;
  private int serving;
  private int draining;

  /** {@code slots} replicas, the first {@code initial} of them serving from now on. */
  PoolReplicas(List<Replica> slots, int initial, Clock clock) {
    if (initial < 0 || initial > slots.size()) {
      throw new IllegalArgumentException(
          "initial: " + initial + " (expected: from 0 to " + slots.size() + ")");
    }
    this.slots = List.copyOf(slots);
    this.states = new State[slots.size()];
    this.readyAt = new long[slots.size()];
    this.clock = clock;
    for (int i = 0; i < slots.size(); i++) {
      index.put(slots.get(i), i);
      states[i] = i < initial ? State.SERVING : State.OFF;
    }
    this.serving = initial;
    this.meter = new ReplicaMeter(clock.nanoTime(), initial, initial);
  }

  /** Called when a replica starts serving: the scheduler binds what waits. */
  void onServing(Runnable listener) {
    this.onServing = listener;
  }

  /** Called when a request arrives for the pool's model: an idle autoscaler wakes. */
  void onDemand(Runnable listener) {
    this.onDemand = listener;
  }

  void demand() {
    onDemand.run();
  }

  /** Whether the router may send the replica in {@code slot} a request. */
  boolean serving(int slot) {
    return states[slot] == State.SERVING;
  }

  /** Whether the router may send {@code replica} a request. */
  boolean serving(Replica replica) {
    Integer i = index.get(replica);
    return i != null && states[i] == State.SERVING;
  }

  State state(Replica replica) {
    return states[index.get(replica)];
  }

  List<Replica> slots() {
    return slots;
  }

  int serving() {
    return serving;
  }

  int provisioning() {
    return provisioning;
  }

  int draining() {
    return draining;
  }

  /** Replicas paid for: provisioning, serving or draining. */
  int billed() {
    return provisioning + serving + draining;
  }

  /** A replica had an event: a draining one whose last request ended is removed now. */
  void replicaEvent(Replica replica) {
    if (draining == 0) {
      return;
    }
    Integer i = index.get(replica);
    if (i != null && states[i] == State.DRAINING && replica.load().inFlight() == 0) {
      states[i] = State.OFF;
      draining--;
      record();
    }
  }

  /**
   * Asks for up to {@code n} more serving replicas: draining ones serve again at once, off slots
   * start provisioning and serve after {@code delay}. Returns how many were asked for.
   */
  int add(int n, Duration delay) {
    int added = 0;
    for (int i = 0; i < slots.size() && added < n; i++) {
      if (states[i] == State.DRAINING) {
        states[i] = State.SERVING;
        draining--;
        serving++;
        added++;
      }
    }
    boolean backToServing = added > 0;
    long now = clock.nanoTime();
    for (int i = 0; i < slots.size() && added < n; i++) {
      if (states[i] == State.OFF) {
        states[i] = State.PROVISIONING;
        provisioning++;
        added++;
        long at = now + delay.toNanos();
        readyAt[i] = at;
        int slot = i;
        clock.schedule(at, () -> ready(slot, at));
      }
    }
    record();
    if (backToServing) {
      onServing.run();
    }
    return added;
  }

  private void ready(int slot, long at) {
    if (states[slot] != State.PROVISIONING || readyAt[slot] != at) {
      return; // retired while provisioning, maybe asked for again since
    }
    states[slot] = State.SERVING;
    provisioning--;
    serving++;
    record();
    onServing.run();
  }

  /**
   * Retires up to {@code n} replicas: provisioning ones first (the latest to be ready first), then
   * serving ones with the fewest requests in flight, which drain. Returns how many were retired.
   */
  int retire(int n) {
    int retired = 0;
    while (retired < n && provisioning > 0) {
      int latest = -1;
      for (int i = 0; i < slots.size(); i++) {
        if (states[i] == State.PROVISIONING && (latest < 0 || readyAt[i] >= readyAt[latest])) {
          latest = i;
        }
      }
      states[latest] = State.OFF;
      provisioning--;
      retired++;
    }
    while (retired < n && serving > 0) {
      int idlest = -1;
      int idlestLoad = Integer.MAX_VALUE;
      for (int i = slots.size() - 1; i >= 0; i--) {
        if (states[i] == State.SERVING) {
          int load = slots.get(i).load().inFlight();
          if (load < idlestLoad) {
            idlest = i;
            idlestLoad = load;
          }
        }
      }
      serving--;
      retired++;
      if (idlestLoad == 0) {
        states[idlest] = State.OFF;
      } else {
        states[idlest] = State.DRAINING;
        draining++;
      }
    }
    record();
    return retired;
  }

  private void record() {
    meter.set(clock.nanoTime(), billed(), serving);
  }

  PoolBill bill(String pool, String model) {
    return meter.bill(pool, model, clock.nanoTime());
  }

  long replicaNanos() {
    return meter.replicaNanos(clock.nanoTime());
  }
}
