package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The whole gateway configuration, validated. */
public record GatewayConfig(ServerConfig server, List<ModelConfig> models, LedgerConfig ledger) {

  public GatewayConfig {
    requireNonNull(server, "server");
    models = List.copyOf(models);
    requireNonNull(ledger, "ledger");
  }

  /** With the default ledger. */
  public GatewayConfig(ServerConfig server, List<ModelConfig> models) {
    this(server, models, LedgerConfig.DEFAULT);
  }

  public GatewayConfig withServer(ServerConfig newServer) {
    return new GatewayConfig(newServer, models, ledger);
  }

  public GatewayConfig withLedger(LedgerConfig newLedger) {
    return new GatewayConfig(server, models, newLedger);
  }
}
