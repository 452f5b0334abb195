package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The whole gateway configuration, validated.
 *
 * @param tenants who may call the gateway, with their keys, limits and budgets; empty: the gateway is
 *     open (and then binds only to loopback addresses)
 * @param admin the operators' keys for {@code /admin/*}
 * @param cluster where limits and budgets are kept: in memory, or in Redis shared by every replica
 */
public record GatewayConfig(
    ServerConfig server,
    List<ModelConfig> models,
    List<TenantConfig> tenants,
    AdminConfig admin,
    ClusterConfig cluster) {

  public GatewayConfig {
    requireNonNull(server, "server");
    models = List.copyOf(models);
    tenants = List.copyOf(tenants);
    requireNonNull(admin, "admin");
    requireNonNull(cluster, "cluster");
  }

  /** An open gateway: no tenants, no keys, state in memory. */
  public GatewayConfig(ServerConfig server, List<ModelConfig> models) {
    this(server, models, List.of(), AdminConfig.NONE, ClusterConfig.LOCAL);
  }

  public GatewayConfig withServer(ServerConfig newServer) {
    return new GatewayConfig(newServer, models, tenants, admin, cluster);
  }

  public GatewayConfig withTenants(List<TenantConfig> newTenants, AdminConfig newAdmin) {
    return new GatewayConfig(server, models, newTenants, newAdmin, cluster);
  }

  public GatewayConfig withCluster(ClusterConfig newCluster) {
    return new GatewayConfig(server, models, tenants, admin, newCluster);
  }

  /** True when requests must present a key. */
  public boolean keyed() {
    return !tenants.isEmpty();
  }
}
