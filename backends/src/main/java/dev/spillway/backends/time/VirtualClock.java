package dev.spillway.backends.time;

import java.util.PriorityQueue;

/**
 * Discrete-event time: {@link #nanoTime()} stands still while tasks run and jumps to the next scheduled
 * task between them. Single-threaded; not safe for use from several threads.
 */
public final class VirtualClock implements Clock {

  private final PriorityQueue<Event> events = new PriorityQueue<>();
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
    events.add(event);
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
    while ((event = events.peek()) != null && event.at <= endNanos) {
      events.poll();
      if (event.cancelled) {
        continue;
      }
      now = event.at;
      executed++;
      event.task.run();
    }
    if (endNanos != Long.MAX_VALUE && endNanos > now) {
      now = endNanos;
    }
  }

  /** Advances time by {@code nanos}, running what falls due. */
  public void advance(long nanos) {
    runUntil(now + nanos);
  }

  /** Events scheduled and not yet run or cancelled (cancelled ones may still be counted until due). */
  public int pending() {
    return events.size();
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
