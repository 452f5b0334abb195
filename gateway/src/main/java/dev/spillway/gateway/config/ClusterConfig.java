package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * State shared by every gateway replica. Without {@code redis}, limits and budgets live in this
 * process's memory.
 *
 * @param redis a Redis connection string, {@code redis://host:6379}
 * @param onRedisFailure what admission does while Redis cannot be reached
 */
public record ClusterConfig(Optional<String> redis, OnFailure onRedisFailure) {

  public static final ClusterConfig LOCAL = new ClusterConfig(Optional.empty(), OnFailure.LOCAL);

  /** Admission while the shared store is unreachable. */
  public enum OnFailure {
    /** Fail open: each replica enforces every limit on its own, in memory, until Redis is back. */
    LOCAL,
    /** Fail closed: requests of limited tenants get 503 until Redis is back. */
    CLOSED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static OnFailure parse(String text) {
      for (OnFailure f : values()) {
        if (f.wireName().equals(text)) {
          return f;
        }
      }
      throw new IllegalArgumentException(
          "onRedisFailure: " + text + " (expected: local or closed)");
    }
  }

  public ClusterConfig {
    requireNonNull(redis, "redis");
    requireNonNull(onRedisFailure, "onRedisFailure");
    if (redis.isPresent() && !redis.get().startsWith("redis://") && !redis.get().startsWith("rediss://")) {
      throw new IllegalArgumentException(
          "cluster.redis: " + redis.get() + " (expected: redis://host:port or rediss://host:port)");
    }
  }
}
