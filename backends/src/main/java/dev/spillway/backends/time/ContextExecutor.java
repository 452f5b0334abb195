package dev.spillway.backends.time;

import static java.util.Objects.requireNonNull;

import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks on one Vert.x event-loop context, in the order each thread posted them.
 *
 * <p>Implementation notes. A task posted on the context's own event-loop thread runs at once, inline:
 * that thread owns the state the task touches, so there is nothing to hand over. A task posted from
 * any other thread goes into a multi-producer queue; only the first task after a drain asks the
 * context to run a drain, so a burst of tasks (every token of one engine step, every message a loop
 * sends another) crosses threads as one hop, however many tasks it holds. No locks: the queue is
 * lock-free and one atomic flag says whether a drain is pending. A drain runs at most
 * {@link #DRAIN_LIMIT} tasks before yielding to the loop's I/O, then asks for another.
 */
public final class ContextExecutor implements Executor {

  static final int DRAIN_LIMIT = 4096;

  private final ContextInternal context;
  private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
  private final AtomicBoolean drainPending = new AtomicBoolean();
  private final Handler<Void> drain = v -> drain();

  public ContextExecutor(Context context) {
    requireNonNull(context, "context");
    if (!context.isEventLoopContext()) {
      throw new IllegalArgumentException("context: " + context + " (expected: an event-loop context)");
    }
    this.context = (ContextInternal) context;
  }

  public Context context() {
    return context;
  }

  /** Whether the calling thread is this context's event loop. */
  public boolean inLoop() {
    return context.nettyEventLoop().inEventLoop();
  }

  @Override
  public void execute(Runnable task) {
    if (inLoop()) {
      task.run();
      return;
    }
    tasks.offer(task);
    if (drainPending.compareAndSet(false, true)) {
      context.runOnContext(drain);
    }
  }

  private void drain() {
    drainPending.set(false);
    for (int i = 0; i < DRAIN_LIMIT; i++) {
      Runnable task = tasks.poll();
      if (task == null) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        context.reportException(e); // one failed task must not strand the ones behind it
      }
    }
    if (!tasks.isEmpty() && drainPending.compareAndSet(false, true)) {
      context.runOnContext(drain);
    }
  }
}
