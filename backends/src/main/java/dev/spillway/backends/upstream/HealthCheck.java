package dev.spillway.backends.upstream;

import dev.spillway.backends.emulator.Faults;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an upstream pool checks its replicas actively: a {@code GET} of {@code path} under each
 * replica's base URL every {@code interval}. A replica is down after {@code unhealthyAfter} checks in
 * a row got no answer within {@code timeout}, or a 5xx; any answer below 500 means the server is up
 * (a 401 or 404 still proves it is alive). One passing check brings it back.
 *
 * @param enabled false to check nothing: the replica's health is then {@code unchecked}
 * @param path appended to the base URL, e.g. {@code /models} for {@code http://host:8000/v1/models}
 */
record HealthCheck(
    boolean enabled, String path, Duration interval, Duration timeout, int unhealthyAfter) {

  static final HealthCheck DEFAULT =
      new HealthCheck(true, "/models", Duration.ofSeconds(5), Duration.ofSeconds(2), 2);
  static final HealthCheck OFF = new HealthCheck(false, "/models", Duration.ofSeconds(5), Duration.ofSeconds(2), 2);

  private static final Set<String> FIELDS =
      Set.of("enabled", "path", "interval", "timeout", "unhealthyAfter");

  /**
   * Reads {@code healthCheck} from a pool's settings: absent for the defaults, {@code false} for none,
   * or a map of the fields above (each optional). Errors name {@code field}.
   */
  static HealthCheck parse(String field, Object value) {
    if (value == null) {
      return DEFAULT;
    }
    if (value instanceof Boolean) {
      return (Boolean) value ? DEFAULT : OFF;
    }
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: false, or a map of " + String.join(", ", new TreeSet<>(FIELDS)) + ")");
    }
    Map<?, ?> map = (Map<?, ?>) value;
    for (Object key : map.keySet()) {
      if (!FIELDS.contains(String.valueOf(key))) {
        throw new IllegalArgumentException(
            field + "." + key + ": unknown field (expected: one of "
                + String.join(", ", new TreeSet<>(FIELDS)) + ")");
      }
    }
    boolean enabled = !Boolean.FALSE.equals(map.get("enabled"));
    String path = map.containsKey("path") ? String.valueOf(map.get("path")) : DEFAULT.path();
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(field + ".path: " + path + " (expected: a path starting with /)");
    }
    Duration interval = duration(field + ".interval", map.get("interval"), DEFAULT.interval());
    Duration timeout = duration(field + ".timeout", map.get("timeout"), DEFAULT.timeout());
    if (timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException(
          field + ".timeout: " + timeout.toMillis() + "ms (expected: at most the interval, "
              + interval.toMillis() + "ms)");
    }
    int unhealthyAfter = DEFAULT.unhealthyAfter();
    Object after = map.get("unhealthyAfter");
    if (after != null) {
      if (!(after instanceof Number) || ((Number) after).intValue() < 1) {
        throw new IllegalArgumentException(
            field + ".unhealthyAfter: " + after + " (expected: an integer >= 1)");
      }
      unhealthyAfter = ((Number) after).intValue();
    }
    return new HealthCheck(enabled, path, interval, timeout, unhealthyAfter);
  }

  private static Duration duration(String field, Object value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    Duration d = Faults.duration(field, value);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: a duration > 0)");
    }
    return d;
  }
}
