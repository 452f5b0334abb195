package dev.spillway.gateway.http;

import dev.spillway.gateway.tenancy.LimitState;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.List;

/**
 * OpenAI's rate-limit headers: {@code x-ratelimit-limit-requests}, {@code -remaining-requests},
 * {@code -reset-requests} and the same for tokens, for the limits the tenant has. Resets are Go-style
 * durations as OpenAI writes them: {@code 644ms}, {@code 1s}, {@code 6m0s}.
 */
final class RateLimitHeaders {

  static final CharSequence LIMIT_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-limit-requests");
  static final CharSequence REMAINING_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-remaining-requests");
  static final CharSequence RESET_REQUESTS = HttpHeaders.createOptimized("x-ratelimit-reset-requests");
  static final CharSequence LIMIT_TOKENS = HttpHeaders.createOptimized("x-ratelimit-limit-tokens");
  static final CharSequence REMAINING_TOKENS = HttpHeaders.createOptimized("x-ratelimit-remaining-tokens");
  static final CharSequence RESET_TOKENS = HttpHeaders.createOptimized("x-ratelimit-reset-tokens");

  private RateLimitHeaders() {}

  static void put(HttpServerResponse response, List<LimitState> states) {
    if (response.headWritten()) {
      return;
    }
    for (LimitState s : states) {
      switch (s.limit()) {
        case REQUESTS:
          response
              .putHeader(LIMIT_REQUESTS, Long.toString(s.max()))
              .putHeader(REMAINING_REQUESTS, Long.toString(s.remaining()))
              .putHeader(RESET_REQUESTS, goDuration(s.reset()));
          break;
        case TOKENS:
          response
              .putHeader(LIMIT_TOKENS, Long.toString(s.max()))
              .putHeader(REMAINING_TOKENS, Long.toString(s.remaining()))
              .putHeader(RESET_TOKENS, goDuration(s.reset()));
          break;
        default:
          break;
      }
    }
  }

  /** {@code 0s}, {@code 644ms}, {@code 1s}, {@code 1.5s}, {@code 6m0s}, {@code 1h2m3s}: Go's format at millisecond precision. */
  static String goDuration(Duration d) {
    long millis = Math.max(0, d.toMillis());
    if (millis == 0) {
      return "0s";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long secondsMillis = millis % 60_000;
    StringBuilder out = new StringBuilder();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(secondsMillis / 1000);
    long fraction = secondsMillis % 1000;
    if (fraction > 0) {
      String digits = String.format("%03d", fraction).replaceAll("0+$", "");
      out.append('.').append(digits);
    }
    return out.append('s').toString();
  }
}
