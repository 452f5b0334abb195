package dev.spillway.gateway.core;

import dev.spillway.backends.spi.ServiceTier;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One model's gateway queue. Tiers drain in strict priority order (priority, default, flex, batch);
 * within a tier, tenants take turns one request at a time, so one tenant's burst cannot starve the
 * others; within a tenant, FIFO. Each tier is bounded; a full tier refuses.
 *
 * <p>Single-threaded, on the core's thread.
 */
final class FlowController {

  private final EnumMap<ServiceTier, TierQueue> tiers = new EnumMap<>(ServiceTier.class);
  private int size;

  FlowController(Map<ServiceTier, Integer> capacity) {
    for (ServiceTier tier : ServiceTier.values()) {
      tiers.put(tier, new TierQueue(capacity.getOrDefault(tier, 0)));
    }
  }

  /** Adds at the back of its tenant's line; false when the tier is full. */
  boolean offer(Pending p) {
    TierQueue tier = tiers.get(p.request.tier());
    if (tier.size >= tier.capacity) {
      return false;
    }
    tier.add(p, false);
    p.queued = true;
    size++;
    return true;
  }

  /** Puts a request back at the head of its tenant's line (a retry), ignoring the bound. */
  void pushFront(Pending p) {
    tiers.get(p.request.tier()).add(p, true);
    p.queued = true;
    size++;
  }

  /** The request that would be served next, or null. */
  Pending peek() {
    for (TierQueue tier : tiers.values()) {
      Pending head = tier.peek();
      if (head != null) {
        return head;
      }
    }
    return null;
  }

  /** Removes and returns the request that would be served next, or null. */
  Pending poll() {
    for (TierQueue tier : tiers.values()) {
      Pending head = tier.poll();
      if (head != null) {
        head.queued = false;
        size--;
        return head;
      }
    }
    return null;
  }

  boolean remove(Pending p) {
    if (!p.queued) {
      return false;
    }
    if (tiers.get(p.request.tier()).remove(p)) {
      p.queued = false;
      size--;
      return true;
    }
    return false;
  }

  int size() {
    return size;
  }

  int size(ServiceTier tier) {
    return tiers.get(tier).size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The earliest deadline among the heads of every tenant's line (lines are FIFO), or MAX_VALUE. */
  long earliestDeadline() {
    long earliest = Long.MAX_VALUE;
    for (TierQueue tier : tiers.values()) {
      for (ArrayDeque<Pending> line : tier.tenants.values()) {
        earliest = Math.min(earliest, line.peekFirst().deadlineNanos);
      }
    }
    return earliest;
  }

  /** Removes every line head whose deadline is at or before {@code now}, handing each to {@code sink}. */
  void expire(long now, java.util.function.Consumer<Pending> sink) {
    for (TierQueue tier : tiers.values()) {
      Iterator<Map.Entry<String, ArrayDeque<Pending>>> lines = tier.tenants.entrySet().iterator();
      while (lines.hasNext()) {
        ArrayDeque<Pending> line = lines.next().getValue();
        while (!line.isEmpty() && line.peekFirst().deadlineNanos <= now) {
          Pending p = line.pollFirst();
          p.queued = false;
          tier.size--;
          size--;
          sink.accept(p);
        }
        if (line.isEmpty()) {
          lines.remove();
        }
      }
    }
  }

  /** Tenants in turn order: the first line's head is served next, then that line moves to the back. */
  private static final class TierQueue {
    final int capacity;
    final LinkedHashMap<String, ArrayDeque<Pending>> tenants = new LinkedHashMap<>();
    int size;

    TierQueue(int capacity) {
      this.capacity = capacity;
    }

    void add(Pending p, boolean front) {
      ArrayDeque<Pending> line = tenants.computeIfAbsent(p.request.tenant(), t -> new ArrayDeque<>());
      if (front) {
        line.addFirst(p);
      } else {
        line.addLast(p);
      }
      size++;
    }

    Pending peek() {
      for (ArrayDeque<Pending> line : tenants.values()) {
        return line.peekFirst();
      }
      return null;
    }

    Pending poll() {
      Iterator<Map.Entry<String, ArrayDeque<Pending>>> it = tenants.entrySet().iterator();
      if (!it.hasNext()) {
        return null;
      }
      Map.Entry<String, ArrayDeque<Pending>> first = it.next();
      ArrayDeque<Pending> line = first.getValue();
      Pending head = line.pollFirst();
      it.remove();
      if (!line.isEmpty()) {
        tenants.put(first.getKey(), line);
      }
      size--;
      return head;
    }

    boolean remove(Pending p) {
      ArrayDeque<Pending> line = tenants.get(p.request.tenant());
      if (line == null || !line.remove(p)) {
        return false;
      }
      if (line.isEmpty()) {
        tenants.remove(p.request.tenant());
      }
      size--;
      return true;
    }
  }
}
