package dev.spillway.gateway.http;

import dev.spillway.gateway.api.bedrock.BedrockError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/**
 * Sends {@link BedrockError}s as Bedrock does: the status, {@code x-amzn-ErrorType} with the
 * exception's name (the AWS SDKs take the error code from it), and {@code {"message":…}}. A 429 or
 * 503 also carries {@code retry-after}; the AWS SDKs back off on their own, other clients may not.
 */
final class BedrockErrors {

  static final CharSequence ERROR_TYPE = HttpHeaders.createOptimized("x-amzn-ErrorType");

  private BedrockErrors() {}

  /** Answers with {@code error} unless the response has already started or the client has gone. */
  static void send(HttpServerResponse response, BedrockError error) {
    if (response.headWritten() || response.closed()) {
      return;
    }
    response
        .setStatusCode(error.status())
        .putHeader(ERROR_TYPE, error.type())
        .putHeader(HttpApi.CONTENT_TYPE, HttpApi.JSON);
    error.retryAfter().ifPresent(delay -> HttpErrors.retryAfter(response, delay));
    response.end(error.toJson());
  }
}
