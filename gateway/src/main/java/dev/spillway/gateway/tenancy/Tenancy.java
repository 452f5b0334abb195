package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.config.AdminConfig;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.TenantConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the HTTP layer asks of tenancy: who a key belongs to, what its tenant may use, and whether the
 * tenant's limits admit a request. An open gateway ({@link #OPEN}) has no keys and no limits.
 */
public final class Tenancy {

  /** No tenants, no keys, no limits. */
  public static final Tenancy OPEN =
      new Tenancy(Map.of(), KeyRing.of(List.of(), AdminConfig.NONE), null, PriceEstimate.FREE);

  private final Map<String, TenantConfig> tenants;
  private final Map<String, Limits> limits;
  private final KeyRing keys;
  private final QuotaStore store;
  private final PriceEstimate prices;

  private Tenancy(
      Map<String, TenantConfig> tenants, KeyRing keys, QuotaStore store, PriceEstimate prices) {
    this.tenants = Map.copyOf(tenants);
    Map<String, Limits> byTenant = new LinkedHashMap<>();
    tenants.forEach((name, t) -> byTenant.put(name, Limits.of(t)));
    this.limits = Map.copyOf(byTenant);
    this.keys = keys;
    this.store = store;
    this.prices = prices;
  }

  /**
   * The tenants and keys of {@code config}, their limits kept in {@code store} and budgets reserved at
   * {@code prices}.
   */
  public static Tenancy of(GatewayConfig config, QuotaStore store, PriceEstimate prices) {
    requireNonNull(config, "config");
    requireNonNull(store, "store");
    requireNonNull(prices, "prices");
    if (!config.keyed()) {
      return OPEN;
    }
    Map<String, TenantConfig> byName = new LinkedHashMap<>();
    for (TenantConfig tenant : config.tenants()) {
      byName.put(tenant.name(), tenant);
    }
    return new Tenancy(byName, KeyRing.of(config.tenants(), config.admin()), store, prices);
  }

  /** Every tenant's limits, by tenant name. */
  public static Map<String, Limits> limits(GatewayConfig config) {
    Map<String, Limits> out = new LinkedHashMap<>();
    config.tenants().forEach(t -> out.put(t.name(), Limits.of(t)));
    return out;
  }

  /** True when requests must present a key. */
  public boolean keyed() {
    return !tenants.isEmpty();
  }

  public KeyRing keys() {
    return keys;
  }

  /** The configured tenant named {@code name}. */
  public Optional<TenantConfig> tenant(String name) {
    return Optional.ofNullable(tenants.get(name));
  }

  /** Whether {@code tenant} has any limit or budget: only then is a reservation made. */
  public boolean limited(String tenant) {
    Limits l = limits.get(tenant);
    return l != null && l.any();
  }

  /**
   * Reserves one request of {@code tenant} on {@code model} (a configured name): its prompt tokens
   * plus {@code maxOutputTokens}, and their price. Completes on any thread.
   */
  public CompletionStage<Decision> reserve(
      String tenant, String model, ServiceTier tier, long promptTokens, long maxOutputTokens) {
    Limits l = limits.get(tenant);
    if (l == null || store == null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("tenant " + tenant + ": not configured (expected: a tenant of a key)"));
    }
    double usd = l.budget().isPresent() ? prices.usd(model, tier, promptTokens, maxOutputTokens) : 0;
    return store.reserve(tenant, l, new Demand(promptTokens + maxOutputTokens, usd));
  }

  /** What an admitted request holds until it ends. */
  public Ticket ticket(Decision decision, String model, ServiceTier tier, long promptTokens) {
    return decision.reservation()
        .map(r -> new Ticket(r, prices, model, tier, promptTokens))
        .orElse(Ticket.NONE);
  }

  /** Closes the store. */
  public CompletionStage<Void> close() {
    return store == null ? CompletableFuture.completedFuture(null) : store.close();
  }
}
