package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * One pool of a model.
 *
 * @param kind the backend kind ({@code emulated}, {@code upstream})
 * @param maxBatchDelay for engines with compiled batch sizes, how long the gateway may hold requests
 *     to fill a batch
 * @param settings the kind's own settings ({@code accelerator}, {@code tp}, {@code url}, ...)
 */
public record PoolConfig(
    String name, String kind, int replicas, Duration maxBatchDelay, Map<String, Object> settings) {

  public PoolConfig {
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(maxBatchDelay, "maxBatchDelay");
    settings = Map.copyOf(settings);
  }
}
