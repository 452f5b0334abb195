package dev.spillway.backends.time;

import static java.util.Objects.requireNonNull;

import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs tasks one at a time, in the order each thread posted them, on whichever event loop is at hand:
 * the state the tasks touch has one writer at a time without belonging to one thread.
 *
 * <p>An event-loop thread that posts a task while no task is running runs it at once, and then any
 * tasks other threads posted meanwhile. A thread that posts while another is running leaves its task
 * in a lock-free queue and returns; the running thread takes it before it lets go. Nobody waits: the
 * only contended step is one compare-and-set on who runs. So a request's loop runs its own model work
 * when the model is idle, with no hop to another loop and no wake-up of one, and the loops meet only
 * when they are busy at the same moment, which is when a hop costs least.
 *
 * <p>Threads that are not event loops never run tasks: they hand them to the home context. So does a
 * loop that has run {@link #DRAIN_LIMIT} tasks in a row, so that it does not serve the others' work
 * for long while its own connections wait. A task posted from inside a running task runs inline, at
 * once, as a call on the thread that owns the state would.
 *
 * <p>Memory: a task's writes happen-before the next task's reads, whichever threads run them, through
 * the compare-and-set and the release of {@link #runner} and the queue's own ordering.
 */
public final class SerialExecutor implements Executor {

  static final int DRAIN_LIMIT = 256;

  private final ContextInternal home;
  private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
  private final AtomicReference<Thread> runner = new AtomicReference<>();
  private final AtomicBoolean homeDrainPending = new AtomicBoolean();
  private final Handler<Void> homeDrain = v -> drainAtHome();

  public SerialExecutor(Context home) {
    requireNonNull(home, "home");
    if (!home.isEventLoopContext()) {
      throw new IllegalArgumentException("home: " + home + " (expected: an event-loop context)");
    }
    this.home = (ContextInternal) home;
  }

  @Override
  public void execute(Runnable task) {
    Thread self = Thread.currentThread();
    if (runner.get() == self) {
      task.run();
      return;
    }
    tasks.offer(task);
    if (Context.isOnEventLoopThread()) {
      drain(self);
    } else {
      askHome();
    }
  }

  /** Runs queued tasks on {@code self} while it can claim them. */
  private void drain(Thread self) {
    while (!tasks.isEmpty() && runner.compareAndSet(null, self)) {
      int ran = 0;
      try {
        Runnable task;
        while (ran < DRAIN_LIMIT && (task = tasks.poll()) != null) {
          ran++;
          try {
            task.run();
          } catch (RuntimeException e) {
            home.reportException(e); // one failed task must not strand the ones behind it
          }
        }
      } finally {
        runner.set(null);
      }
      if (ran == DRAIN_LIMIT) {
        askHome();
        return;
      }
      // Loop: a task offered after the last poll, whose poster saw this thread running, is ours.
    }
  }

  private void askHome() {
    if (homeDrainPending.compareAndSet(false, true)) {
      home.runOnContext(homeDrain);
    }
  }

  private void drainAtHome() {
    homeDrainPending.set(false);
    drain(Thread.currentThread());
  }
}
