package dev.spillway.gateway.tenancy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One tenant's admissions over the last {@link Limits#WINDOW}, exactly: a log of (instant, tokens) per
 * admitted request, oldest first. A request is counted from its admission until a window later,
 * whatever it does meanwhile; its tokens are what it reserved until it settles, then what it used.
 * Not thread-safe: {@link MemoryQuotaStore} guards each log with its own lock.
 *
 * <p>Implementation notes. Invariant: {@code requests} and {@code tokens} are the sums over the
 * entries in {@code log}, and every entry in {@code byId} is in {@code log}. A released entry stays in
 * the log with nothing counted until it expires, so releasing is O(1). The log holds at most one entry
 * per admission in the window, so at most {@code rpm} entries, or {@code tpm} (each admission reserves
 * at least one token).
 */
final class SlidingLog {

  private static final long WINDOW_MILLIS = Limits.WINDOW.toMillis();

  private static final class Entry {
    final String id;
    final long atMillis;
    boolean counted = true;
    long tokens;

    Entry(String id, long atMillis, long tokens) {
      this.id = id;
      this.atMillis = atMillis;
      this.tokens = tokens;
    }
  }

  private final ArrayDeque<Entry> log = new ArrayDeque<>();
  private final Map<String, Entry> byId = new HashMap<>();
  private long requests;
  private long tokens;

  /** Drops what left the window by {@code nowMillis}. */
  void expire(long nowMillis) {
    while (!log.isEmpty() && log.peekFirst().atMillis + WINDOW_MILLIS <= nowMillis) {
      Entry e = log.pollFirst();
      byId.remove(e.id);
      if (e.counted) {
        requests--;
        tokens -= e.tokens;
      }
    }
  }

  /**
   * How long until one more request fits under {@code rpm}; zero when it fits now. Call after
   * {@link #expire}.
   */
  Duration untilRequestFits(long rpm, long nowMillis) {
    long excess = requests + 1 - rpm;
    if (rpm <= 0 || excess <= 0) {
      return Duration.ZERO;
    }
    for (Entry e : log) {
      if (e.counted && --excess == 0) {
        return Duration.ofMillis(e.atMillis + WINDOW_MILLIS - nowMillis);
      }
    }
    throw new IllegalStateException("sliding log: " + requests + " requests counted, fewer in the log");
  }

  /** How long until {@code demand} more tokens fit under {@code tpm}; zero when they fit now. */
  Duration untilTokensFit(long tpm, long demand, long nowMillis) {
    long excess = tokens + demand - tpm;
    if (tpm <= 0 || excess <= 0) {
      return Duration.ZERO;
    }
    for (Entry e : log) {
      if (e.counted && (excess -= e.tokens) <= 0) {
        return Duration.ofMillis(e.atMillis + WINDOW_MILLIS - nowMillis);
      }
    }
    return Limits.WINDOW; // more than the limit alone: it never fits
  }

  void add(String id, long nowMillis, long reserved) {
    Entry e = new Entry(id, nowMillis, reserved);
    log.addLast(e);
    byId.put(id, e);
    requests++;
    tokens += reserved;
  }

  /** The entry's tokens become {@code used}; nothing happens once it left the window. */
  void settle(String id, long used) {
    Entry e = byId.get(id);
    if (e != null && e.counted) {
      tokens += used - e.tokens;
      e.tokens = used;
    }
  }

  void release(String id) {
    Entry e = byId.get(id);
    if (e != null && e.counted) {
      e.counted = false;
      requests--;
      tokens -= e.tokens;
      e.tokens = 0;
    }
  }

  /** Where {@code rpm} and {@code tpm} stand at {@code nowMillis}, for the limits that are set. */
  List<LimitState> states(Limits limits, long nowMillis) {
    List<LimitState> states = new ArrayList<>(2);
    if (limits.rpm() > 0) {
      states.add(new LimitState(Limit.REQUESTS, limits.rpm(), limits.rpm() - requests, untilOldest(false, nowMillis)));
    }
    if (limits.tpm() > 0) {
      states.add(new LimitState(Limit.TOKENS, limits.tpm(), limits.tpm() - tokens, untilOldest(true, nowMillis)));
    }
    return states;
  }

  private Duration untilOldest(boolean withTokens, long nowMillis) {
    Iterator<Entry> it = log.iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.counted && (!withTokens || e.tokens > 0)) {
        return Duration.ofMillis(e.atMillis + WINDOW_MILLIS - nowMillis);
      }
    }
    return Duration.ZERO;
  }

  long requests() {
    return requests;
  }

  long tokens() {
    return tokens;
  }

  boolean isEmpty() {
    return log.isEmpty();
  }
}
