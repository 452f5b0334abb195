package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.BudgetConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits and budgets in this process's memory: exact for one gateway process; with several, each
 * enforces every limit on its own (use Redis, {@link RedisQuotaStore}, to share them).
 *
 * <p>Each tenant's state has its own lock, held for a few microseconds per call with no I/O inside,
 * so calls from every event loop are safe and never wait on anything slow. Decisions complete before
 * {@link #reserve} returns.
 *
 * <p>Budgets: a tenant's spend in the current period starts from {@link SpendHistory} the first time
 * the store sees the tenant in that period ({@link #preload} does it at start, off the event loops).
 */
public final class MemoryQuotaStore implements QuotaStore {

  private final InstantSource clock;
  private final SpendHistory history;
  private final Map<String, TenantState> tenants = new ConcurrentHashMap<>();

  /** One tenant's windows and budget; guarded by itself. */
  private static final class TenantState {
    final SlidingLog log = new SlidingLog();
    /** The budget period spent is counted in; null before the first budgeted request. */
    Instant period;
    /** Settled spend plus outstanding reservations in {@code period}. */
    double committed;
  }

  public MemoryQuotaStore(InstantSource clock, SpendHistory history) {
    this.clock = requireNonNull(clock, "clock");
    this.history = requireNonNull(history, "history");
  }

  /** Reads each budgeted tenant's spend so far in its current period; may block (the history may). */
  public void preload(Map<String, Limits> limits) {
    Instant now = clock.instant();
    limits.forEach(
        (tenant, l) ->
            l.budget().ifPresent(b -> {
              TenantState state = state(tenant);
              synchronized (state) {
                rollOver(tenant, state, b, now);
              }
            }));
  }

  private TenantState state(String tenant) {
    return tenants.computeIfAbsent(tenant, t -> new TenantState());
  }

  /** Moves {@code state} to the period holding {@code now}, reading the history for a new one. */
  private void rollOver(String tenant, TenantState state, BudgetConfig budget, Instant now) {
    Instant period = BudgetPeriods.start(budget.period(), now);
    if (!period.equals(state.period)) {
      boolean first = state.period == null;
      state.period = period;
      // At start the ledger knows what was spent before this process; at a later rollover the new
      // period began while this process ran, and it has counted everything since.
      state.committed = first ? Math.max(0, history.spentUsd(tenant, period)) : 0;
    }
  }

  @Override
  public CompletionStage<Decision> reserve(String tenant, Limits limits, Demand demand) {
    requireNonNull(tenant, "tenant");
    requireNonNull(limits, "limits");
    requireNonNull(demand, "demand");
    Instant now = clock.instant();
    long nowMillis = now.toEpochMilli();
    TenantState state = state(tenant);
    Decision decision;
    synchronized (state) {
      decision = reserve(tenant, limits, demand, state, now, nowMillis);
    }
    return CompletableFuture.completedFuture(decision);
  }

  private Decision reserve(
      String tenant, Limits limits, Demand demand, TenantState state, Instant now, long nowMillis) {
    SlidingLog log = state.log;
    log.expire(nowMillis);
    Duration requestWait = log.untilRequestFits(limits.rpm(), nowMillis);
    if (!requestWait.isZero()) {
      return Decision.denied(
          Limit.REQUESTS, requestWait, log.states(limits, nowMillis),
          "Rate limit reached for tenant " + tenant + " on requests per min (RPM): Limit " + limits.rpm()
              + ", Used " + log.requests() + ", Requested 1.");
    }
    Duration tokenWait = log.untilTokensFit(limits.tpm(), demand.tokens(), nowMillis);
    if (!tokenWait.isZero()) {
      return Decision.denied(
          Limit.TOKENS, tokenWait, log.states(limits, nowMillis),
          (demand.tokens() > limits.tpm() ? "Request too large" : "Rate limit reached")
              + " for tenant " + tenant + " on tokens per min (TPM): Limit " + limits.tpm() + ", Used "
              + log.tokens() + ", Requested " + demand.tokens() + ".");
    }
    Instant period = Instant.EPOCH;
    if (limits.budget().isPresent()) {
      BudgetConfig budget = limits.budget().get();
      rollOver(tenant, state, budget, now);
      period = state.period;
      if (state.committed + demand.usd() > budget.usd()) {
        return Decision.denied(
            Limit.BUDGET, Duration.between(now, BudgetPeriods.end(budget.period(), period)),
            log.states(limits, nowMillis),
            "You exceeded your current quota: tenant " + tenant + " has spent its budget of "
                + budget.usd() + " USD per " + budget.period().wireName() + ".");
      }
      state.committed += demand.usd();
    }
    String id = UUID.randomUUID().toString();
    log.add(id, nowMillis, demand.tokens());
    return Decision.admitted(
        new Reservation(this, id, tenant, demand, now, period), log.states(limits, nowMillis));
  }

  @Override
  public CompletionStage<Void> settle(Reservation r, long tokens, double usd) {
    TenantState state = state(r.tenant());
    synchronized (state) {
      state.log.settle(r.id(), tokens);
      if (r.budgetPeriod().equals(state.period)) {
        state.committed = Math.max(0, state.committed + usd - r.demand().usd());
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> release(Reservation r) {
    TenantState state = state(r.tenant());
    synchronized (state) {
      state.log.release(r.id());
      if (r.budgetPeriod().equals(state.period)) {
        state.committed = Math.max(0, state.committed - r.demand().usd());
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Spend so far plus outstanding reservations in the tenant's current budget period. */
  public double committedUsd(String tenant) {
    TenantState state = state(tenant);
    synchronized (state) {
      return state.committed;
    }
  }

  /** Where the windows stand for {@code tenant} now. */
  public List<LimitState> states(String tenant, Limits limits) {
    TenantState state = state(tenant);
    long now = clock.millis();
    synchronized (state) {
      state.log.expire(now);
      return state.log.states(limits, now);
    }
  }
}
