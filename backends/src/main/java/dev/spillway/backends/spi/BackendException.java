package dev.spillway.backends.spi;

import java.time.Duration;
import java.util.Optional;

/** A failure reported by a backend, sorted by who can fix it. */
public final class BackendException extends RuntimeException {

  /** Who caused the failure; the gateway maps it to a status code. */
  public enum Kind {
    /** The request can never be served as sent (too long for the model, unknown model): a 400. */
    INVALID_REQUEST,
    /** The replica cannot take more work now; another replica or a later retry may: a 429 or 503. */
    OVERLOADED,
    /** The backend failed or answered nonsense: a 502. */
    UPSTREAM,
    /** The deadline passed: a 504. */
    TIMEOUT
  }

  private final Kind kind;
  private final Duration retryAfter;

  public BackendException(Kind kind, String message) {
    this(kind, message, (Duration) null);
  }

  public BackendException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.retryAfter = null;
  }

  /** A failure with the backend's own hint of when to try again ({@code null}: none given). */
  public BackendException(Kind kind, String message, Duration retryAfter) {
    super(message);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** When the backend said to try again (an upstream's {@code Retry-After}), if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
