package dev.spillway.gateway.http;

import dev.spillway.gateway.api.openai.OpenAiError;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/**
 * Sends {@link OpenAiError}s with the headers the SDKs act on: 429 and 503 carry {@code retry-after}
 * (whole seconds, at least 1) and {@code retry-after-ms}, both capped at 60 s so that the Python, Node
 * and Java SDKs all honour them alike; any other 5xx carries {@code x-should-retry: false}, since the
 * gateway already retried on other replicas and a client retry would only multiply the load.
 */
final class HttpErrors {

  static final String RETRY_AFTER = "retry-after";
  static final String RETRY_AFTER_MS = "retry-after-ms";
  static final String SHOULD_RETRY = "x-should-retry";
  /** The longest delay every SDK obeys as given (Node ignores larger ones). */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

  private HttpErrors() {}

  /** Answers with {@code error} unless the response has already started or the client has gone. */
  static void send(HttpServerResponse response, OpenAiError error) {
    if (response.headWritten() || response.closed()) {
      return;
    }
    response.setStatusCode(error.status()).putHeader(HttpApi.CONTENT_TYPE, HttpApi.JSON);
    if (error.retryAfter().isPresent()) {
      retryAfter(response, error.retryAfter().get());
    } else if (error.status() >= 500 || error.status() == 429) {
      // A 429 without a retry hint is a spent budget: retrying within the period cannot succeed.
      response.putHeader(SHOULD_RETRY, "false");
    }
    response.end(error.toJson());
  }

  static void retryAfter(HttpServerResponse response, Duration delay) {
    long millis = Math.max(1, Math.min(MAX_RETRY_AFTER.toMillis(), delay.toMillis()));
    long seconds = Math.max(1, (millis + 999) / 1000);
    response.putHeader(RETRY_AFTER, Long.toString(seconds)).putHeader(RETRY_AFTER_MS, Long.toString(millis));
  }
}
