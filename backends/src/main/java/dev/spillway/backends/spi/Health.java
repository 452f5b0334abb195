package dev.spillway.backends.spi;

import java.util.Locale;

/** What a replica's active health check last found. */
public enum Health {
  /** The replica has no active check: only the outcomes of its requests say how it is. */
  UNCHECKED,
  /** The last check passed. */
  UP,
  /** Checks failed: the router offers the replica nothing until one passes. */
  DOWN;

  /** {@code unchecked}, {@code up} or {@code down}, as {@code /admin/pools} shows it. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
