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
 * @param ledger where every finished request's usage is recorded
 * @param inferenceProfiles the regions each Bedrock cross-region inference profile routes among
 */
public record GatewayConfig(
    ServerConfig server,
    List<ModelConfig> models,
    List<TenantConfig> tenants,
    AdminConfig admin,
    ClusterConfig cluster,
    LedgerConfig ledger,
    InferenceProfiles inferenceProfiles) {

  public GatewayConfig {
    requireNonNull(inferenceProfiles, "inferenceProfiles");
    requireNonNull(server, "server");
    models = List.copyOf(models);
    tenants = List.copyOf(tenants);
    requireNonNull(admin, "admin");
    requireNonNull(cluster, "cluster");
    requireNonNull(ledger, "ledger");
  }

  /** A gateway with Bedrock's default inference profiles. */
  public GatewayConfig(
      ServerConfig server, List<ModelConfig> models, List<TenantConfig> tenants, AdminConfig admin,
      ClusterConfig cluster, LedgerConfig ledger) {
    this(server, models, tenants, admin, cluster, ledger, InferenceProfiles.DEFAULT);
  }

  /** An open gateway: no tenants, no keys, state in memory, the default ledger. */
  public GatewayConfig(ServerConfig server, List<ModelConfig> models) {
    this(server, models, List.of(), AdminConfig.NONE, ClusterConfig.LOCAL, LedgerConfig.DEFAULT);
  }

  public GatewayConfig withServer(ServerConfig newServer) {
    return new GatewayConfig(newServer, models, tenants, admin, cluster, ledger, inferenceProfiles);
  }

  public GatewayConfig withTenants(List<TenantConfig> newTenants, AdminConfig newAdmin) {
    return new GatewayConfig(server, models, newTenants, newAdmin, cluster, ledger, inferenceProfiles);
  }

  public GatewayConfig withCluster(ClusterConfig newCluster) {
    return new GatewayConfig(server, models, tenants, admin, newCluster, ledger, inferenceProfiles);
  }

  public GatewayConfig withLedger(LedgerConfig newLedger) {
    return new GatewayConfig(server, models, tenants, admin, cluster, newLedger, inferenceProfiles);
  }

  /** True when requests must present a key. */
  public boolean keyed() {
    return !tenants.isEmpty();
  }
}
