package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a pool scales between {@code min} and {@code max} replicas: every {@code interval} the pool's
 * {@code metric} is compared with {@code target}; more replicas are asked for at once, fewer only after
 * the metric has asked for fewer for {@code scaleDownAfter}.
 *
 * @param provisioningDelay from asking for a replica to it serving; empty for the accelerator
 *     profile's own
 */
public record AutoscaleConfig(
    int min,
    int max,
    Metric metric,
    double target,
    Duration interval,
    Duration scaleDownAfter,
    Optional<Duration> provisioningDelay) {

  /** What the autoscaler holds at its target. */
  public enum Metric {
    /**
     * Requests outstanding per serving replica: waiting in the model's queue, waiting on the pool's
     * replicas or running there.
     */
    QUEUE_DEPTH("queue-depth"),
    /**
     * The mean busy fraction of the serving replicas: running sequences over the most a step may
     * hold, or KV cache in use, whichever is higher (from 0 to 1).
     */
    UTILISATION("utilisation");

    private final String wireName;

    Metric(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Metric parse(String name) {
      for (Metric m : values()) {
        if (m.wireName.equals(name.trim().toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "metric: " + name + " (expected one of: "
              + Arrays.stream(values()).map(Metric::wireName).collect(Collectors.joining(", ")) + ")");
    }
  }

  public AutoscaleConfig {
    requireNonNull(metric, "metric");
    requireNonNull(interval, "interval");
    requireNonNull(scaleDownAfter, "scaleDownAfter");
    requireNonNull(provisioningDelay, "provisioningDelay");
    if (min < 0) {
      throw new IllegalArgumentException("min: " + min + " (expected: >= 0)");
    }
    if (max < Math.max(1, min)) {
      throw new IllegalArgumentException("max: " + max + " (expected: >= 1 and >= min " + min + ")");
    }
    if (!(target > 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException("target: " + target + " (expected: > 0)");
    }
    if (metric == Metric.UTILISATION && target > 1) {
      throw new IllegalArgumentException(
          "target: " + target + " (expected: a utilisation > 0 and <= 1)");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
    }
    if (scaleDownAfter.isNegative()) {
      throw new IllegalArgumentException("scaleDownAfter: " + scaleDownAfter + " (expected: >= 0)");
    }
    if (provisioningDelay.isPresent() && provisioningDelay.get().isNegative()) {
      throw new IllegalArgumentException(
          "provisioningDelay: " + provisioningDelay.get() + " (expected: >= 0)");
    }
  }
}
