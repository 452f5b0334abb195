package dev.spillway.backends.spi;

import java.util.concurrent.Executor;

/**
 * Receives the events of one request.
 *
 * <p>Threading. A request has a home: the thread that owns its client (live, the event loop of the
 * HTTP connection it came on; in simulation, the simulator's loop). A replica calls {@link #accept}
 * only from tasks run by {@link #executor()}, in event order, whatever thread its own work runs on: an
 * emulated engine steps on its model's thread and hands each event to the executor; an upstream
 * exchange does its HTTP work on the home thread itself and calls the sink directly. The default
 * executor runs tasks inline, for sinks that live on the replica's thread. Implementations must not
 * block.
 */
@FunctionalInterface
public interface TokenSink {

  /** Runs each task on the calling thread. */
  Executor INLINE = Runnable::run;

  void accept(TokenEvent event);

  /**
   * Where this sink's events must be delivered. It runs tasks one at a time, in the order each
   * thread posted them, and never blocks the poster.
   */
  default Executor executor() {
    return INLINE;
  }
}
