package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Where the gateway listens and what it accepts.
 *
 * @param maxBodyBytes the largest request body; larger ones get a 413
 * @param eventLoops how many event loops serve HTTP and own the models' schedulers (models are
 *     spread over them); the machine's cores by default
 * @param drainTimeout how long a shutdown waits for requests in flight to finish before it cancels
 *     the rest
 */
public record ServerConfig(
    String host, int port, long maxBodyBytes, int eventLoops, Duration drainTimeout) {

  public static final int MAX_EVENT_LOOPS = 1024;

  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public static final ServerConfig DEFAULT =
      new ServerConfig(
          "127.0.0.1", 8080, 4L * 1024 * 1024, Runtime.getRuntime().availableProcessors(),
          DEFAULT_DRAIN_TIMEOUT);

  public ServerConfig {
    requireNonNull(host, "server.host");
    requireNonNull(drainTimeout, "server.drainTimeout");
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
    if (drainTimeout.isNegative() || drainTimeout.isZero()) {
      throw new IllegalArgumentException(
          "server.drainTimeout: " + drainTimeout + " (expected: a positive duration)");
    }
  }

  /** With the default drain timeout. */
  public ServerConfig(String host, int port, long maxBodyBytes, int eventLoops) {
    this(host, port, maxBodyBytes, eventLoops, DEFAULT_DRAIN_TIMEOUT);
  }

  /** On the machine's cores. */
  public ServerConfig(String host, int port, long maxBodyBytes) {
    this(host, port, maxBodyBytes, DEFAULT.eventLoops());
  }

  public ServerConfig withAddress(String newHost, int newPort) {
    return new ServerConfig(newHost, newPort, maxBodyBytes, eventLoops, drainTimeout);
  }

  public ServerConfig withEventLoops(int loops) {
    return new ServerConfig(host, port, maxBodyBytes, loops, drainTimeout);
  }

  public ServerConfig withDrainTimeout(Duration timeout) {
    return new ServerConfig(host, port, maxBodyBytes, eventLoops, timeout);
  }
}
