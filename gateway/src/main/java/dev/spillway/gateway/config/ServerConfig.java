package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

/**
 * Where the gateway listens and what it accepts.
 *
 * @param maxBodyBytes the largest request body; larger ones get a 413
 */
public record ServerConfig(String host, int port, long maxBodyBytes) {

  public static final ServerConfig DEFAULT = new ServerConfig("127.0.0.1", 8080, 4L * 1024 * 1024);

  public ServerConfig {
    requireNonNull(host, "server.host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("server.port: " + port + " (expected: 0 to 65535)");
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException(
          "server.maxBodyBytes: " + maxBodyBytes + " (expected: >= 1024)");
    }
  }

  public ServerConfig withAddress(String newHost, int newPort) {
    return new ServerConfig(newHost, newPort, maxBodyBytes);
  }
}
