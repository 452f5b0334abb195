package dev.spillway.backends.time;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * Discrete-event time: {@link #nanoTime()} stands still while tasks run and jumps to the next scheduled
 * task between them. Single-threaded; not safe for use from several threads.
 *
 * <p>Implementation notes. Events run in order of (time, scheduling order). Most events of a
 * simulation are scheduled for the current instant (a step starting as the last one ends, a pump
 * after an event), so those skip the heap: they go to a FIFO, which holds only events of the current
 * instant, each scheduled after everything already queued. The next event is the earlier of the FIFO's
 * head and the heap's top by (time, scheduling order), so the order is the same as one heap's.
 */
public final class VirtualClock implements Clock {

  /** Events due later than when they were scheduled. */
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  /** Events scheduled for the instant they were scheduled at, which is still {@link #now}. */
  private final ArrayDeque<Event> dueNow = new ArrayDeque<>();
  private long now;
  private long sequence;
  private long executed;

  public VirtualClock() {
    this(0);
  }

  public VirtualClock(long startNanos) {
    this.now = startNanos;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public Timer schedule(long atNanos, Runnable task) {
    Event event = new Event(Math.max(atNanos, now), sequence++, task);
    if (event.at == now) {
      dueNow.add(event);
    } else {
      events.add(event);
    }
    return event;
  }

  /** Runs events until none is left. */
  public void run() {
    runUntil(Long.MAX_VALUE);
  }

  /**
   * Runs every event due at or before {@code endNanos}, then sets the time to {@code endNanos} (unless
   * it is {@link Long#MAX_VALUE}).
   */
  public void runUntil(long endNanos) {
    Event event;
    while ((event = next()) != null && event.at <= endNanos) {
      take(event);
    }
    if (endNanos != Long.MAX_VALUE && endNanos > now) {
      now = endNanos;
    }
  }

  /**
   * Dequeues the next event and runs it unless it was cancelled: one event at a time, for benchmarks
   * and tests that stop on a condition. Returns false when nothing is queued.
   */
  public boolean runNext() {
    Event event = next();
    if (event == null) {
      return false;
    }
    take(event);
    return true;
  }

  /** Dequeues {@code event}, which {@link #next()} returned, and runs it unless cancelled. */
  private void take(Event event) {
    if (event == dueNow.peek()) {
      dueNow.poll();
    } else {
      events.poll();
    }
    if (!event.cancelled) {
      now = event.at;
      executed++;
      event.task.run();
    }
  }

  /** The event to run next, left queued; null when there is none. */
  private Event next() {
    Event head = dueNow.peek();
    Event top = events.peek();
    if (head == null) {
      return top;
    }
    return top == null || top.compareTo(head) > 0 ? head : top;
  }

  /** Advances time by {@code nanos}, running what falls due. */
  public void advance(long nanos) {
    runUntil(now + nanos);
  }

  /** Events scheduled and not yet run or cancelled (cancelled ones may still be counted until due). */
  public int pending() {
    return events.size() + dueNow.size();
  }

  /** Events run since creation: a measure of simulation work. */
  public long executed() {
    return executed;
  }

  private static final class Event implements Comparable<Event>, Timer {
    final long at;
    final long sequence;
    final Runnable task;
    boolean cancelled;

    Event(long at, long sequence, Runnable task) {
      this.at = at;
      this.sequence = sequence;
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(at, other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
