package dev.spillway.backends.spi;

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

  public BackendException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public BackendException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
