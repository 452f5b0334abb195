package dev.spillway.gateway.config;

/**
 * The most requests the gateway keeps in flight on each replica of a pool at once; beyond it the
 * replica is offered to the router no more than a full one, and requests wait in the model's queue.
 *
 * @param maxConcurrent requests in flight per replica; 0 for no limit but the replica's own capacity
 */
public record BulkheadConfig(int maxConcurrent) {

  /** No limit of the gateway's own: engines and upstream slots bound themselves. */
  public static final BulkheadConfig DEFAULT = new BulkheadConfig(0);

  public BulkheadConfig {
    if (maxConcurrent < 0) {
      throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 0)");
    }
  }
}
