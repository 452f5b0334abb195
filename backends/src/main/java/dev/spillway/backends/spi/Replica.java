package dev.spillway.backends.spi;

/**
 * One serving engine instance: the unit the router picks. All methods are called on the replica's
 * clock (one task at a time: on event loops in the gateway, on the simulator's loop in simulation)
 * and return at once. Events of a submitted request reach its sink on the sink's own executor (see
 * {@link TokenSink}).
 */
public interface Replica {

  /** Unique within its pool, e.g. {@code llama-3.3-70b@trn2/0}. */
  String id();

  Capacity capacity();

  LoadSnapshot load();

  /** Whether the replica would start {@code request} in its next step without queueing it. */
  boolean hasCapacityFor(InferenceRequest request);

  /** Predicted TTFT, TPOT and cost of {@code request} under the current load. */
  Prediction predict(InferenceRequest request);

  /**
   * Starts serving {@code request}; events arrive on {@code sink}. A request the replica can never
   * serve gets a {@link TokenEvent.Failure} of kind {@link BackendException.Kind#INVALID_REQUEST}.
   */
  Submission submit(InferenceRequest request, TokenSink sink);

  /**
   * Registers {@code listener}, which the replica calls on its own thread whenever it may have room
   * for more work: after a step, after a request ended. The gateway binds queued requests then, so a
   * replica that never calls it is offered work only when a request arrives or a timer fires. One
   * listener per replica; a later one replaces the earlier.
   */
  default void onCapacity(Runnable listener) {}

  /**
   * What the replica's active health check last found; {@link Health#UNCHECKED} when it has none.
   * A replica whose check passes again after failing calls its {@link #onCapacity} listener.
   */
  default Health health() {
    return Health.UNCHECKED;
  }
}
