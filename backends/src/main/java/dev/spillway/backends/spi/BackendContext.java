package dev.spillway.backends.spi;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.time.Clock;
import java.util.Map;

/**
 * What the host process lends a backend: the clock every replica must read time from, and shared
 * services looked up by type (the Vert.x instance for upstream HTTP clients, for example).
 */
public record BackendContext(Clock clock, Map<Class<?>, Object> services) {

  public BackendContext {
    requireNonNull(clock, "clock");
    services = Map.copyOf(requireNonNull(services, "services"));
  }

  public static BackendContext of(Clock clock) {
    return new BackendContext(clock, Map.of());
  }

  public <T> T require(Class<T> type) {
    Object service = services.get(type);
    if (service == null) {
      throw new IllegalStateException("no " + type.getSimpleName() + " in the backend context");
    }
    return type.cast(service);
  }
}
