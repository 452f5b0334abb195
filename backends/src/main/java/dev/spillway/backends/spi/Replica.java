package dev.spillway.backends.spi;

/**
 * One serving engine instance: the unit the router picks. All methods are called from the gateway's
 * event loop (or the simulator's loop) and return at once.
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
}
