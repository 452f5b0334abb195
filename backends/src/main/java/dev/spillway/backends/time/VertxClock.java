package dev.spillway.backends.time;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * Real time on one Vert.x context: {@link System#nanoTime()} and event-loop timers. Every task runs on
 * that context, so engines driven by this clock need no locks.
 *
 * <p>Event-loop timers fire up to about a millisecond late. Callers that pace work (the engines) keep
 * their own schedule in intended times, so the lateness does not accumulate.
 */
public final class VertxClock implements Clock {

  private final ContextInternal context;
  private final ContextExecutor executor;

  public VertxClock(Context context) {
    this.context = (ContextInternal) requireNonNull(context, "context");
    this.executor = new ContextExecutor(context);
  }

  /** The context every task of this clock runs on. */
  public Context context() {
    return context;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Timer schedule(long atNanos, Runnable task) {
    long delay = atNanos - System.nanoTime();
    if (delay <= 0) {
      Cancellable immediate = new Cancellable(task);
      context.runOnContext(v -> immediate.run());
      return immediate;
    }
    io.vertx.core.Timer timer = context.timer(delay, TimeUnit.NANOSECONDS);
    timer.onSuccess(v -> task.run());
    return timer::cancel;
  }

  /**
   * Runs {@code task} on this clock's event loop: inline when called there, otherwise through a
   * {@link ContextExecutor}, so a burst of tasks from another thread crosses over as one hop.
   */
  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  private static final class Cancellable implements Timer {
    private final Runnable task;
    private volatile boolean cancelled;

    Cancellable(Runnable task) {
      this.task = task;
    }

    void run() {
      if (!cancelled) {
        task.run();
      }
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
