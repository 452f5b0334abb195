package dev.spillway.gateway.api.openai;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.wire.JsonText;
import dev.spillway.gateway.core.GatewayError;
import java.time.Duration;
import java.util.Optional;

/**
 * An answer in OpenAI's error shape, {@code {"error":{"message","type","param","code"}}}, with the
 * HTTP status it goes out with. Untrusted input is a 4xx of type {@code invalid_request_error}; a
 * full queue a 429 of type {@code requests} (OpenAI's rate-limit type) and code
 * {@code rate_limit_exceeded}; a backend or gateway failure a 5xx of type {@code server_error}.
 * Thrown by the parser for control flow only, so it carries no stack trace.
 */
public final class OpenAiError extends RuntimeException {

  public static final String INVALID_REQUEST = "invalid_request_error";
  /** OpenAI's 429 type for a request-count limit ({@code tokens} is the other). */
  public static final String REQUESTS = "requests";
  public static final String SERVER_ERROR = "server_error";

  /** A retry hint when the core gave none. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Optional<Duration> retryAfter;

  public OpenAiError(
      int status, String type, String message, String param, String code, Optional<Duration> retryAfter) {
    super(requireNonNull(message, "message"), null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400 to 599)");
    }
    this.status = status;
    this.type = requireNonNull(type, "type");
    this.param = param;
    this.code = code;
    this.retryAfter = requireNonNull(retryAfter, "retryAfter");
  }

  /** A 400 for a bad field; {@code code} may be null. */
  public static OpenAiError invalid(String param, String code, String message) {
    return new OpenAiError(400, INVALID_REQUEST, message, param, code, Optional.empty());
  }

  /** A 4xx other than 400 that is the client's fault (404, 405, 413). */
  public static OpenAiError client(int status, String param, String code, String message) {
    return new OpenAiError(status, INVALID_REQUEST, message, param, code, Optional.empty());
  }

  /** A 404 for a model the gateway does not serve. */
  public static OpenAiError modelNotFound(String model) {
    return client(
        404, "model", "model_not_found",
        "The model `" + model + "` does not exist or you do not have access to it.");
  }

  /** A failure of the gateway itself: 500, not worth retrying. */
  public static OpenAiError internal(String message) {
    return new OpenAiError(500, SERVER_ERROR, message, null, null, Optional.empty());
  }

  /** The OpenAI answer for a failure the core reports. */
  public static OpenAiError from(GatewayError error) {
    String message = error.message();
    String param = error.param().orElse(null);
    switch (error.kind()) {
      case INVALID_REQUEST:
        return invalid(param, null, message);
      case CONTEXT_LENGTH_EXCEEDED:
        return invalid(param, "context_length_exceeded", message);
      case MODEL_NOT_FOUND:
        return client(404, param == null ? "model" : param, "model_not_found", message);
      case QUEUE_FULL:
        return new OpenAiError(
            429, REQUESTS, message, param, "rate_limit_exceeded",
            Optional.of(error.retryAfter().orElse(DEFAULT_RETRY_AFTER)));
      case UNAVAILABLE:
        return new OpenAiError(
            503, SERVER_ERROR, message, null, "service_unavailable",
            Optional.of(error.retryAfter().orElse(DEFAULT_RETRY_AFTER)));
      case TIMEOUT:
        return new OpenAiError(504, SERVER_ERROR, message, null, "timeout", Optional.empty());
      case BACKEND:
      default:
        return new OpenAiError(502, SERVER_ERROR, message, null, "backend_error", Optional.empty());
    }
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The request field (or header) at fault, or null. */
  public String param() {
    return param;
  }

  /** A machine-readable code, or null. */
  public String code() {
    return code;
  }

  /** When to try again; present for 429 and 503 only. */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** The error object on one line: {@code {"error":{"message":…,"type":…,"param":…,"code":…}}}. */
  public String toJson() {
    StringBuilder json = new StringBuilder(96 + getMessage().length());
    json.append("{\"error\":{\"message\":");
    JsonText.string(json, getMessage());
    json.append(",\"type\":");
    JsonText.string(json, type);
    json.append(",\"param\":");
    JsonText.string(json, param);
    json.append(",\"code\":");
    JsonText.string(json, code);
    return json.append("}}").toString();
  }
}
