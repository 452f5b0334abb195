package dev.spillway.backends.server;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.wire.JsonText;
import io.vertx.core.http.HttpServerResponse;

/**
 * A request the server answers with an error, carrying the HTTP status and the fields of OpenAI's
 * error object: {@code {"error":{"message","type","param","code"}}}. Untrusted input is a 4xx; a
 * backend failure a 5xx. Thrown only for control flow, so it carries no stack trace.
 */
final class ApiError extends RuntimeException {

  static final String INVALID_REQUEST = "invalid_request_error";
  static final String SERVER_ERROR = "server_error";

  final int status;
  final String type;
  /** The request field at fault, or null. */
  final String param;
  /** A machine-readable code, or null. */
  final String code;

  ApiError(int status, String type, String message, String param, String code) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  /** A 400 for a bad field. */
  static ApiError invalid(String param, String message) {
    return new ApiError(400, INVALID_REQUEST, message, param, null);
  }

  /** The status and shape a backend failure reaches the client with. */
  static ApiError from(BackendException e) {
    switch (e.kind()) {
      case INVALID_REQUEST:
        return new ApiError(400, INVALID_REQUEST, e.getMessage(), null, null);
      case OVERLOADED:
        return new ApiError(503, SERVER_ERROR, e.getMessage(), null, null);
      case TIMEOUT:
        return new ApiError(504, SERVER_ERROR, e.getMessage(), null, null);
      case UPSTREAM:
      default:
        return new ApiError(502, SERVER_ERROR, e.getMessage(), null, null);
    }
  }

  /** The error object as JSON, on one line. */
  String toJson() {
    StringBuilder json = new StringBuilder(128 + getMessage().length());
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

  /** Answers with this error unless the response has already started. */
  void send(HttpServerResponse response) {
    if (response.headWritten() || response.closed()) {
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(toJson());
  }
}
