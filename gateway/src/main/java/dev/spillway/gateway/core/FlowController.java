package dev.spillway.gateway.core;

import dev.spillway.backends.spi.ServiceTier;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * One model's gateway queue. Tiers drain in strict priority order (priority, default, flex, batch);
 * within a tier, tenants take turns one request at a time, so one tenant's burst cannot starve the
 * others; within a tenant, FIFO. Each tier is bounded; a full tier refuses.
 *
 * <p>Implementation notes. A tier holds one {@link Line} per tenant with requests queued, found by
 * tenant in a map and linked in a ring in turn order: the ring's head is served next, then the head
 * moves one line on, which is how the served tenant goes to the back. A tenant whose line empties
 * leaves the ring and the map; one that arrives joins the ring just behind the head (at the back).
 * Serving, queueing and removal therefore allocate nothing beyond the map entry of a tenant that
 * (re)joins, and emptied lines are kept for reuse, a few per tier.
 *
 * <p>Single-threaded, on its model's thread.
 */
final class FlowController {

  /** Emptied lines a tier keeps for reuse. */
  private static final int SPARE_LINES = 8;

  /** By {@link ServiceTier#ordinal()}, which is priority order. */
  private final TierQueue[] tiers;
  private int size;

  FlowController(Map<ServiceTier, Integer> capacity) {
    ServiceTier[] all = ServiceTier.values();
    tiers = new TierQueue[all.length];
    for (ServiceTier tier : all) {
      tiers[tier.ordinal()] = new TierQueue(capacity.getOrDefault(tier, 0));
    }
  }

  /** Adds at the back of its tenant's line; false when the tier is full. */
  boolean offer(Pending p) {
    TierQueue tier = tiers[p.request.tier().ordinal()];
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
    tiers[p.request.tier().ordinal()].add(p, true);
    p.queued = true;
    size++;
  }

  /** The request that would be served next, or null. */
  Pending peek() {
    for (TierQueue tier : tiers) {
      if (tier.head != null) {
        return tier.head.requests.peekFirst();
      }
    }
    return null;
  }

  /** Removes and returns the request that would be served next, or null. */
  Pending poll() {
    for (TierQueue tier : tiers) {
      if (tier.head != null) {
        Pending head = tier.poll();
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
    if (tiers[p.request.tier().ordinal()].remove(p)) {
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
    return tiers[tier.ordinal()].size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The earliest deadline among the heads of every tenant's line (lines are FIFO), or MAX_VALUE. */
  long earliestDeadline() {
    long earliest = Long.MAX_VALUE;
    for (TierQueue tier : tiers) {
      Line line = tier.head;
      for (int i = tier.lines.size(); i > 0; i--) {
        earliest = Math.min(earliest, line.requests.peekFirst().deadlineNanos);
        line = line.next;
      }
    }
    return earliest;
  }

  /** Removes every line head whose deadline is at or before {@code now}, handing each to {@code sink}. */
  void expire(long now, Consumer<Pending> sink) {
    for (TierQueue tier : tiers) {
      Line line = tier.head;
      for (int i = tier.lines.size(); i > 0; i--) {
        Line next = line.next;
        ArrayDeque<Pending> requests = line.requests;
        while (!requests.isEmpty() && requests.peekFirst().deadlineNanos <= now) {
          Pending p = requests.pollFirst();
          p.queued = false;
          tier.size--;
          size--;
          sink.accept(p);
        }
        if (requests.isEmpty()) {
          tier.drop(line);
        }
        line = next;
      }
    }
  }

  /** The requests queued in {@code tier} and every tier before it: those a newcomer to it waits behind. */
  int sizeThrough(ServiceTier tier) {
    int ahead = 0;
    for (int t = 0; t <= tier.ordinal(); t++) {
      ahead += tiers[t].size;
    }
    return ahead;
  }

  /**
   * Removes every request that, at {@code intervalNanos} per binding reaching its tier, would not be
   * bound before its deadline, handing each to {@code sink}; lower tiers are reached last, so they go
   * first. A request's place is estimated from the turns: the i-th of its tenant's line, in a tier of
   * L lines, waits for about i·L requests of its tier and all of the tiers above.
   */
  void shed(long now, ToDoubleFunction<ServiceTier> intervalNanos, Consumer<Pending> sink) {
    int ahead = 0;
    for (ServiceTier level : ServiceTier.values()) {
      TierQueue tier = tiers[level.ordinal()];
      double interval = intervalNanos.applyAsDouble(level);
      int lines = tier.lines.size();
      Line line = tier.head;
      for (int j = 0; j < lines; j++) {
        Line next = line.next;
        int i = 0;
        for (Iterator<Pending> it = line.requests.iterator(); it.hasNext(); ) {
          Pending p = it.next();
          double startsAt = now + (ahead + (double) i * lines + j) * interval;
          if (startsAt > p.deadlineNanos) {
            it.remove();
            p.queued = false;
            tier.size--;
            size--;
            sink.accept(p);
          } else {
            i++;
          }
        }
        if (line.requests.isEmpty()) {
          tier.drop(line);
        }
        line = next;
      }
      ahead += tier.size;
    }
  }

  /** One tenant's requests in one tier, FIFO, and its place in the tier's ring of turns. */
  private static final class Line {
    final ArrayDeque<Pending> requests = new ArrayDeque<>();
    String tenant;
    Line next;
    Line previous;
  }

  /** Tenants in turn order: the head line's first request is served next, then the head moves on. */
  private static final class TierQueue {
    final int capacity;
    final HashMap<String, Line> lines = new HashMap<>();
    /** The line served next, or null when the tier is empty. */
    Line head;
    int size;
    /** Emptied lines for reuse, linked through {@link Line#next}. */
    Line spare;
    int spares;

    TierQueue(int capacity) {
      this.capacity = capacity;
    }

    void add(Pending p, boolean front) {
      String tenant = p.request.tenant();
      Line line = lines.get(tenant);
      if (line == null) {
        line = join(tenant);
      }
      if (front) {
        line.requests.addFirst(p);
      } else {
        line.requests.addLast(p);
      }
      size++;
    }

    Pending poll() {
      Line line = head;
      Pending p = line.requests.pollFirst();
      if (line.requests.isEmpty()) {
        drop(line);
      } else {
        head = line.next;
      }
      size--;
      return p;
    }

    boolean remove(Pending p) {
      Line line = lines.get(p.request.tenant());
      if (line == null || !line.requests.remove(p)) {
        return false;
      }
      if (line.requests.isEmpty()) {
        drop(line);
      }
      size--;
      return true;
    }

    /** A new line for {@code tenant}, at the back of the ring. */
    private Line join(String tenant) {
      Line line = spare;
      if (line != null) {
        spare = line.next;
        spares--;
      } else {
        line = new Line();
      }
      line.tenant = tenant;
      lines.put(tenant, line);
      if (head == null) {
        line.next = line;
        line.previous = line;
        head = line;
      } else {
        Line back = head.previous;
        back.next = line;
        line.previous = back;
        line.next = head;
        head.previous = line;
      }
      return line;
    }

    /** Takes an empty line out of the map and the ring; the head moves on if it was the head. */
    void drop(Line line) {
      lines.remove(line.tenant);
      if (line.next == line) {
        head = null;
      } else {
        line.previous.next = line.next;
        line.next.previous = line.previous;
        if (head == line) {
          head = line.next;
        }
      }
      line.tenant = null;
      line.previous = null;
      line.next = null;
      if (spares < SPARE_LINES) {
        line.next = spare;
        spare = line;
        spares++;
      }
    }
  }
}
