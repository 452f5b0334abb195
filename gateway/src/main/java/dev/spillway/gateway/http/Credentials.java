package dev.spillway.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * The secret a request presents: {@code Authorization: Bearer <secret>} (what the OpenAI SDKs send)
 * or {@code x-api-key: <secret>} (what Anthropic-style clients send). Never logged.
 */
final class Credentials {

  static final CharSequence API_KEY = HttpHeaders.createOptimized("x-api-key");
  private static final String BEARER = "bearer ";

  private Credentials() {}

  /** The presented secret, or null when the request carries none. */
  static String presented(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null
        && authorization.length() > BEARER.length()
        && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      String secret = authorization.substring(BEARER.length()).trim();
      if (!secret.isEmpty()) {
        return secret;
      }
    }
    String apiKey = request.getHeader(API_KEY);
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.trim();
    }
    return null;
  }
}
