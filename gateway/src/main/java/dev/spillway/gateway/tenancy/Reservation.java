package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a store holds for one admitted request until it ends: then {@link #settle} to what it really
 * used, or {@link #release} what it reserved. Only the first of those calls counts; later ones do
 * nothing, so every path that ends a request may call one without coordinating with the others.
 * Thread-safe.
 *
 * @implNote {@code budgetPeriod} is the start of the budget period the reservation was charged to: a
 *     request that ends in the next period settles against the one it was admitted in.
 */
public final class Reservation {

  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final QuotaStore store;
  private final String id;
  private final String tenant;
  private final Demand demand;
  private final Instant at;
  private final Instant budgetPeriod;
  private final AtomicBoolean ended = new AtomicBoolean();

  public Reservation(
      QuotaStore store, String id, String tenant, Demand demand, Instant at, Instant budgetPeriod) {
    this.store = requireNonNull(store, "store");
    this.id = requireNonNull(id, "id");
    this.tenant = requireNonNull(tenant, "tenant");
    this.demand = requireNonNull(demand, "demand");
    this.at = requireNonNull(at, "at");
    this.budgetPeriod = requireNonNull(budgetPeriod, "budgetPeriod");
  }

  public String id() {
    return id;
  }

  public String tenant() {
    return tenant;
  }

  public Demand demand() {
    return demand;
  }

  /** When the windows counted it. */
  public Instant at() {
    return at;
  }

  public Instant budgetPeriod() {
    return budgetPeriod;
  }

  /**
   * The request ended having used {@code tokens} (prompt plus output) priced at {@code usd}. Callers
   * need not wait for the returned stage; it completes when the store has applied the settlement.
   */
  public CompletionStage<Void> settle(long tokens, double usd) {
    return ended.compareAndSet(false, true)
        ? store.settle(this, Math.max(0, tokens), Math.max(0, usd))
        : DONE;
  }

  /** The request was not served: gives back all it reserved, the request itself included. */
  public CompletionStage<Void> release() {
    return ended.compareAndSet(false, true) ? store.release(this) : DONE;
  }

  @Override
  public String toString() {
    return "Reservation[" + id + ", " + tenant + ", " + demand + "]";
  }
}
