package dev.spillway.backends.time;

/**
 * Time and timers. Everything that serves or schedules requests reads time here and nowhere else, so a
 * virtual implementation can replay an hour of traffic in seconds.
 *
 * <p>A clock's tasks and timers run one at a time, never concurrently with each other: on the
 * simulator's loop, or live on event loops, one loop at a time ({@link VertxClock}). Code said to run
 * <em>on the clock</em> runs in one of those tasks; code elsewhere gets there through
 * {@link #execute}.
 */
public interface Clock {

  /** Monotonic time in nanoseconds; only differences are meaningful. */
  long nanoTime();

  /**
   * Runs {@code task} at clock time {@code atNanos}, or as soon as possible if that time has passed.
   * Tasks due at the same time run in the order they were scheduled.
   */
  Timer schedule(long atNanos, Runnable task);

  /**
   * Runs {@code task} on the clock: at once when called on it, otherwise as soon as the clock is free.
   * Tasks posted from one thread run in the order they were posted. A single-threaded clock (the
   * simulator's) is always called on its own thread and runs the task inline.
   */
  default void execute(Runnable task) {
    task.run();
  }

  /** Runs {@code task} after {@code delayNanos} of clock time. */
  default Timer scheduleAfter(long delayNanos, Runnable task) {
    return schedule(nanoTime() + Math.max(0, delayNanos), task);
  }

  /** A scheduled task; cancelling one that already ran does nothing. */
  @FunctionalInterface
  interface Timer {
    void cancel();
  }
}
