package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Why the core could not serve a request, sorted by cause so the API layer can answer in its
 * protocol's own shape and status.
 *
 * @param param the request field at fault, for client errors
 * @param retryAfter for {@link Kind#QUEUE_FULL} and {@link Kind#UNAVAILABLE}: when to try again
 * @param afterFirstToken true when tokens were already sent: only an in-stream error is possible
 */
public record GatewayError(
    Kind kind, String message, Optional<String> param, Optional<Duration> retryAfter,
    boolean afterFirstToken) {

  /** The cause; each maps to one HTTP status. */
  public enum Kind {
    /** The request is malformed or can never be served as sent: 400. */
    INVALID_REQUEST(400),
    /** Prompt plus requested output exceed what the model's replicas hold: 400. */
    CONTEXT_LENGTH_EXCEEDED(400),
    /** No such model: 404. */
    MODEL_NOT_FOUND(404),
    /** The model's queue for this tier is full: 429 with Retry-After. */
    QUEUE_FULL(429),
    /** The backend failed: 502. */
    BACKEND(502),
    /** No replica could take the request in time: 503 with Retry-After. */
    UNAVAILABLE(503),
    /** The deadline passed while generating: 504. */
    TIMEOUT(504);

    private final int status;

    Kind(int status) {
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public GatewayError {
    requireNonNull(kind, "kind");
    requireNonNull(message, "message");
    requireNonNull(param, "param");
    requireNonNull(retryAfter, "retryAfter");
  }

  public static GatewayError of(Kind kind, String message) {
    return new GatewayError(kind, message, Optional.empty(), Optional.empty(), false);
  }

  public static GatewayError retryable(Kind kind, String message, Duration retryAfter) {
    return new GatewayError(kind, message, Optional.empty(), Optional.of(retryAfter), false);
  }

  /** The same error, reported after tokens were sent. */
  public GatewayError midStream() {
    return new GatewayError(kind, message, param, retryAfter, true);
  }
}
