package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

/**
 * Where the gateway listens and what it accepts.
 *
 * @param maxBodyBytes the largest request body; larger ones get a 413
 * @param eventLoops how many event loops serve HTTP and own the models' schedulers (models are
 *     spread over them); the machine's cores by default
 */
public record ServerConfig(String host, int port, long maxBodyBytes, int eventLoops) {

  public static final int MAX_EVENT_LOOPS = 1024;

  public static final ServerConfig DEFAULT =
      new ServerConfig("127.0.0.1", 8080, 4L * 1024 * 1024, Runtime.getRuntime().availableProcessors());

  public ServerConfig {
    requireNonNull(host, "server.host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("server.port: " + port + " (expected: 0 to 65535)");
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException(
          "server.maxBodyBytes: " + maxBodyBytes + " (expected: >= 1024)");
    }
    if (eventLoops < 1 || eventLoops > MAX_EVENT_LOOPS) {
      throw new IllegalArgumentException(
          "server.eventLoops: " + eventLoops + " (expected: 1 to " + MAX_EVENT_LOOPS + ")");
    }
  }

  /** On the machine's cores. */
  public ServerConfig(String host, int port, long maxBodyBytes) {
    this(host, port, maxBodyBytes, DEFAULT.eventLoops());
  }

  public ServerConfig withAddress(String newHost, int newPort) {
    return new ServerConfig(newHost, newPort, maxBodyBytes, eventLoops);
  }

  public ServerConfig withEventLoops(int loops) {
    return new ServerConfig(host, port, maxBodyBytes, loops);
  }
}
