package dev.spillway.backends.spi;

import java.util.Locale;

/**
 * The service class a request is served under, as Bedrock names them. Queues drain in this order, and
 * each tier carries its own price multiplier.
 */
public enum ServiceTier {
  PRIORITY,
  DEFAULT,
  FLEX,
  /** Offline work that tolerates hours of delay; drains last. */
  BATCH;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** The name used on the wire and in configuration: {@code priority}, {@code default}, ... */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name; {@code auto} and {@code standard} are read as {@link #DEFAULT}. */
  public static ServiceTier fromWire(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "priority":
        return PRIORITY;
      case "default":
      case "auto":
      case "standard":
        return DEFAULT;
      case "flex":
        return FLEX;
      case "batch":
        return BATCH;
      default:
        throw new IllegalArgumentException(
            "service_tier: " + value + " (expected: priority, default, flex or batch)");
    }
  }
}
