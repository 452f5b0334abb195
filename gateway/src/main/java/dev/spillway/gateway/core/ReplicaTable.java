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
import java.util.Optional;

/**
 * A model's replicas as its scheduler sees them, numbered across its pools: each one's pool, whether
 * it serves, its bulkhead and its health. The numbers are the ones the router's candidates, the
 * circuit breakers and a request's tried set share. On the model's clock.
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

  /**
   * Why no replica of the model {@code model} could ever serve {@code request}: longer than any
   * replica's context, or held to pools that are not the model's; null when some could.
   */
  GatewayError refusal(GatewayRequest request, String model) {
    if ((long) request.promptTokens() + request.maxOutputTokens() > contextTokens) {
      return new GatewayError(
          GatewayError.Kind.CONTEXT_LENGTH_EXCEEDED,
          "This model's maximum context length is " + contextTokens + " tokens; the request has "
              + request.promptTokens() + " prompt tokens and asks for " + request.maxOutputTokens()
              + " output tokens.",
          Optional.of("max_tokens"), Optional.empty(), false);
    }
    if (!request.pools().isEmpty()
        && candidates.stream().noneMatch(c -> request.allowsPool(c.pool()))) {
      return new GatewayError(
          GatewayError.Kind.INVALID_REQUEST,
          "pools: " + request.pools() + " (expected: pools of " + model + ")",
          Optional.of("model"), Optional.empty(), false);
    }
    return null;
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
    if (health[i] == Health.UNCHECKED) {
      return false; // a replica without checks never gets any: its events are the engine's, many a step
    }
    Health now = candidates.get(i).replica().health();
    boolean back = health[i] == Health.DOWN && now == Health.UP;
    health[i] = now;
    return back;
  }
}
