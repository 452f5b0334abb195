package dev.spillway.gateway.tenancy;

import java.util.concurrent.CompletionStage;

/**
 * Where tenants' limits and budgets are kept and enforced: this process's memory, or Redis shared by
 * every gateway replica. Reserve-then-settle: admission reserves one request, the request's tokens
 * (prompt plus its most output) and its price at that most; the request's end settles to what it
 * used, or releases the reservation when it was not served.
 *
 * <p>Every method may be called from any thread, and never blocks: a store that does I/O answers
 * later, on a thread of its own choosing.
 */
public interface QuotaStore {

  /** Admits one request of {@code tenant} under {@code limits}, or says which limit refuses it. */
  CompletionStage<Decision> reserve(String tenant, Limits limits, Demand demand);

  /** Called once, through {@link Reservation#settle}; completes when the store has applied it. */
  CompletionStage<Void> settle(Reservation reservation, long tokens, double usd);

  /** Called once, through {@link Reservation#release}; completes when the store has applied it. */
  CompletionStage<Void> release(Reservation reservation);

  /** Stops whatever the store runs; in-flight calls may fail. */
  default CompletionStage<Void> close() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }
}
