package dev.spillway.backends.time;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * Real time on one Vert.x context: {@link System#nanoTime()} and event-loop timers. Every task and
 * every timer's task runs through one {@link SerialExecutor}, one at a time, so engines and schedulers
 * driven by this clock need no locks: on the event loop that posts it when the clock is idle, on the
 * loop already running the clock's tasks when it is not, and on the clock's context otherwise.
 *
 * <p>Event-loop timers fire up to about a millisecond late. Callers that pace work (the engines) keep
 * their own schedule in intended times, so the lateness does not accumulate.
 */
public final class VertxClock implements Clock {

  private final ContextInternal context;
  private final SerialExecutor executor;

  public VertxClock(Context context) {
    this.context = (ContextInternal) requireNonNull(context, "context");
    this.executor = new SerialExecutor(context);
  }

  /** The clock's home: it runs the tasks no other loop takes, and the timers set off the loops. */
  public Context context() {
    return context;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Timer schedule(long atNanos, Runnable task) {
    ContextInternal on = timerContext();
    long delay = atNanos - System.nanoTime();
    if (delay <= 0) {
      Cancellable immediate = new Cancellable(task);
      on.runOnContext(v -> executor.execute(immediate::run));
      return immediate;
    }
    io.vertx.core.Timer timer = on.timer(delay, TimeUnit.NANOSECONDS);
    timer.onSuccess(v -> executor.execute(task));
    return timer::cancel;
  }

  /**
   * Where a timer goes: the calling event loop's context, so that a timer set and cancelled by the
   * same loop (a request's deadline sweep, say) never wakes another; the clock's own context when
   * called from elsewhere. Either way its task runs through the clock's executor, in turn.
   */
  private ContextInternal timerContext() {
    Context current = Vertx.currentContext();
    if (current != null && current.isEventLoopContext() && current.owner() == context.owner()) {
      return (ContextInternal) current;
    }
    return context;
  }

  /**
   * Runs {@code task} after the clock's other tasks: inline when the calling event loop finds the
   * clock idle or is running its tasks already, otherwise when the loop running them gets to it.
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
