package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One pool of a model.
 *
 * @param kind the backend kind ({@code emulated}, {@code upstream})
 * @param maxBatchDelay for engines with compiled batch sizes, how long the gateway may hold requests
 *     to fill a batch
 * @param settings the kind's own settings ({@code accelerator}, {@code tp}, {@code url}, ...)
 * @param replicas the replicas at start; with {@code autoscale}, from its {@code min} to its {@code max}
 * @param autoscale how the pool scales; empty for a fixed pool
 * @param resilience the guards on each of the pool's replicas
 * @param region the cloud region the pool runs in ({@code us-east-1}), which Bedrock inference
 *     profiles route by; empty when not said
 */
public record PoolConfig(
    String name,
    String kind,
    int replicas,
    Duration maxBatchDelay,
    Map<String, Object> settings,
    Optional<AutoscaleConfig> autoscale,
    ResilienceConfig resilience,
    Optional<String> region) {

  public PoolConfig {
    requireNonNull(region, "region");
    if (region.isPresent() && !InferenceProfiles.regionName(region.get())) {
      throw new IllegalArgumentException(
          "region: " + region.get() + " (expected: a region name such as us-east-1)");
    }
    requireNonNull(resilience, "resilience");
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(maxBatchDelay, "maxBatchDelay");
    requireNonNull(autoscale, "autoscale");
    settings = Map.copyOf(settings);
    int min = autoscale.map(AutoscaleConfig::min).orElse(1);
    int max = autoscale.map(AutoscaleConfig::max).orElse(Integer.MAX_VALUE);
    if (replicas < min || replicas > max) {
      throw new IllegalArgumentException(
          "replicas: " + replicas + " (expected: from " + min
              + (autoscale.isPresent() ? " to " + max + ", autoscale's min and max" : " up") + ")");
    }
  }

  /** A pool in no region in particular. */
  public PoolConfig(
      String name, String kind, int replicas, Duration maxBatchDelay, Map<String, Object> settings,
      Optional<AutoscaleConfig> autoscale, ResilienceConfig resilience) {
    this(name, kind, replicas, maxBatchDelay, settings, autoscale, resilience, Optional.empty());
  }

  /** A pool with the default guards. */
  public PoolConfig(
      String name, String kind, int replicas, Duration maxBatchDelay, Map<String, Object> settings,
      Optional<AutoscaleConfig> autoscale) {
    this(name, kind, replicas, maxBatchDelay, settings, autoscale, ResilienceConfig.DEFAULT);
  }

  /** A fixed pool with the default guards. */
  public PoolConfig(
      String name, String kind, int replicas, Duration maxBatchDelay, Map<String, Object> settings) {
    this(name, kind, replicas, maxBatchDelay, settings, Optional.empty());
  }

  /** The most replicas the pool may have at once: its slots. */
  public int maxReplicas() {
    return autoscale.map(AutoscaleConfig::max).orElse(replicas);
  }
}
