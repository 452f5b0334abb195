package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The whole gateway configuration, validated. */
public record GatewayConfig(ServerConfig server, List<ModelConfig> models) {

  public GatewayConfig {
    requireNonNull(server, "server");
    models = List.copyOf(models);
  }

  public GatewayConfig withServer(ServerConfig newServer) {
    return new GatewayConfig(newServer, models);
  }
}
