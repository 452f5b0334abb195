package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.TenantConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the HTTP layer asks of tenancy: who a key belongs to, and what its tenant may use. An open
 * gateway ({@link #OPEN}) has no keys and lets every request through.
 */
public final class Tenancy {

  /** No tenants, no keys. */
  public static final Tenancy OPEN = new Tenancy(Map.of(), KeyRing.of(java.util.List.of(),
      dev.spillway.gateway.config.AdminConfig.NONE));

  private final Map<String, TenantConfig> tenants;
  private final KeyRing keys;

  private Tenancy(Map<String, TenantConfig> tenants, KeyRing keys) {
    this.tenants = Map.copyOf(tenants);
    this.keys = keys;
  }

  /** The tenants and keys of {@code config}. */
  public static Tenancy of(GatewayConfig config) {
    requireNonNull(config, "config");
    if (!config.keyed()) {
      return OPEN;
    }
    Map<String, TenantConfig> byName = new LinkedHashMap<>();
    for (TenantConfig tenant : config.tenants()) {
      byName.put(tenant.name(), tenant);
    }
    return new Tenancy(byName, KeyRing.of(config.tenants(), config.admin()));
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
}
