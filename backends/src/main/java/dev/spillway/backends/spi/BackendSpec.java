package dev.spillway.backends.spi;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One pool as configured: its kind, the model it serves, how many replicas, and kind-specific settings
 * (an accelerator profile for emulated pools, a URL for upstreams).
 */
public record BackendSpec(
    String pool, String kind, String model, int replicas, Map<String, Object> settings) {

  public BackendSpec {
    requireNonNull(pool, "pool");
    requireNonNull(kind, "kind");
    requireNonNull(model, "model");
    settings = Map.copyOf(requireNonNull(settings, "settings"));
    if (replicas < 1) {
      throw new IllegalArgumentException(pool + ".replicas: " + replicas + " (expected: >= 1)");
    }
  }

  public String string(String key, String fallback) {
    Object value = settings.get(key);
    return value == null ? fallback : value.toString();
  }

  public String requireString(String key) {
    Object value = settings.get(key);
    if (value == null) {
      throw new IllegalArgumentException(pool + "." + key + ": missing (expected: a value)");
    }
    return value.toString();
  }

  public int integer(String key, int fallback) {
    Object value = settings.get(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Number) {
      return ((Number) value).intValue();
    }
    try {
      return Integer.parseInt(value.toString());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(pool + "." + key + ": " + value + " (expected: an integer)");
    }
  }
}
