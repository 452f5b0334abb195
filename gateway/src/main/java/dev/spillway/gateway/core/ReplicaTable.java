package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Health;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Replica;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.core.routing.Candidate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's replicas as its scheduler sees them, numbered across its pools: each one's pool, whether
 * it serves, its bulkhead and its health. The numbers are the ones the router's candidates, the
 * circuit breakers and a request's tried set share. On the model's thread.
 */
final class ReplicaTable {

  private final List<Candidate> candidates;
  private final PoolHandle[] pools;
  /** Each replica's slot in its pool's {@link PoolReplicas}. */
  private final int[] slots;
  /** Each replica's bulkhead: the most requests in flight on it, 0 for its own capacity only. */
  private final int[] maxConcurrent;
  /** Each replica's health as last seen, to notice one whose active check passes again. */
  private final Health[] health;
  private final Map<String, Integer> indexById = new HashMap<>();
  private final int contextTokens;

  ReplicaTable(List<PoolHandle> handles) {
    List<Candidate> all = new ArrayList<>();
    List<PoolHandle> owners = new ArrayList<>();
    List<Integer> slotList = new ArrayList<>();
    int context = 0;
    for (PoolHandle pool : handles) {
      List<Replica> poolSlots = pool.replicas().slots();
      for (int slot = 0; slot < poolSlots.size(); slot++) {
        Replica replica = poolSlots.get(slot);
        indexById.put(replica.id(), all.size());
        all.add(new Candidate(pool.config().name(), replica));
        owners.add(pool);
        slotList.add(slot);
        context = Math.max(context, replica.capacity().maxModelTokens());
      }
    }
    this.candidates = List.copyOf(all);
    this.pools = owners.toArray(new PoolHandle[0]);
    this.slots = slotList.stream().mapToInt(Integer::intValue).toArray();
    this.maxConcurrent = new int[pools.length];
    this.health = new Health[pools.length];
    for (int i = 0; i < pools.length; i++) {
      maxConcurrent[i] = pools[i].config().resilience().bulkhead().maxConcurrent();
      health[i] = candidates.get(i).replica().health();
    }
    this.contextTokens = context;
  }

  int size() {
    return candidates.size();
  }

  /** Every replica, as the router is offered it. */
  List<Candidate> candidates() {
    return candidates;
  }

  Candidate candidate(int i) {
    return candidates.get(i);
  }

  Replica replica(int i) {
    return candidates.get(i).replica();
  }

  PoolConfig poolConfig(int i) {
    return pools[i].config();
  }

  /** The replica's number, by its id. */
  int index(String replicaId) {
    return indexById.get(replicaId);
  }

  /** The longest request (prompt and output) any replica takes. */
  int contextTokens() {
    return contextTokens;
  }

  /** Whether the replica is in service (not provisioning, draining or off). */
  boolean serving(int i) {
    return pools[i].replicas().serving(slots[i]);
  }

  /** Whether the router may be offered the replica: in service, and not found down by its health check. */
  boolean offered(int i) {
    return serving(i) && health[i] != Health.DOWN;
  }

  /** Whether the replica would start {@code request} now and its bulkhead has room for it. */
  boolean hasRoom(int i, InferenceRequest request) {
    Replica replica = candidates.get(i).replica();
    return (maxConcurrent[i] == 0 || replica.load().inFlight() < maxConcurrent[i])
        && replica.hasCapacityFor(request);
  }

  /** Takes the replica's health as it is now; true when its check passes after having failed. */
  boolean backUp(int i) {
    Health now = candidates.get(i).replica().health();
    boolean back = health[i] == Health.DOWN && now == Health.UP;
    health[i] = now;
    return back;
  }
}
