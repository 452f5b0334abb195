package dev.spillway.loadtest.http;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How the driver talks to the server.
 *
 * @param baseUrl the API root, such as {@code http://127.0.0.1:8080/v1}; the endpoint's path is
 *     appended
 * @param apiKey sent as {@code Authorization: Bearer …}; null for none
 * @param maxInflight most requests outstanding at once (and the connection pool's size); an open-loop
 *     request due while this many are outstanding waits, and its wait shows as schedule lag
 * @param timeout longest a request may take, from its send to its end; then it fails as
 *     {@code timeout}
 * @param prefixTokens how many leading prompt tokens a prefix group shares; negative for half of each
 *     prompt
 * @param lean time each request at its first and last body bytes only, without parsing chunks (see
 *     {@link LeanExchange})
 */
public record DriverOptions(
    URI baseUrl, String apiKey, Endpoint endpoint, int maxInflight, Duration timeout, int prefixTokens,
    boolean lean) {

  public static final int DEFAULT_MAX_INFLIGHT = 10_000;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  public DriverOptions {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(endpoint, "endpoint");
    requireNonNull(timeout, "timeout");
    String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
      throw new IllegalArgumentException(
          "baseUrl: " + baseUrl + " (expected: an http or https URL such as http://127.0.0.1:8080/v1)");
    }
    if (maxInflight < 1) {
      throw new IllegalArgumentException("maxInflight: " + maxInflight + " (expected: >= 1)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
  }

  public static DriverOptions of(URI baseUrl) {
    return new DriverOptions(baseUrl, null, Endpoint.CHAT, DEFAULT_MAX_INFLIGHT, DEFAULT_TIMEOUT, -1, false);
  }

  public DriverOptions withApiKey(String apiKey) {
    return new DriverOptions(baseUrl, apiKey, endpoint, maxInflight, timeout, prefixTokens, lean);
  }

  public DriverOptions withEndpoint(Endpoint endpoint) {
    return new DriverOptions(baseUrl, apiKey, endpoint, maxInflight, timeout, prefixTokens, lean);
  }

  public DriverOptions withMaxInflight(int maxInflight) {
    return new DriverOptions(baseUrl, apiKey, endpoint, maxInflight, timeout, prefixTokens, lean);
  }

  public DriverOptions withTimeout(Duration timeout) {
    return new DriverOptions(baseUrl, apiKey, endpoint, maxInflight, timeout, prefixTokens, lean);
  }

  public DriverOptions withPrefixTokens(int prefixTokens) {
    return new DriverOptions(baseUrl, apiKey, endpoint, maxInflight, timeout, prefixTokens, lean);
  }

  public DriverOptions withLean(boolean lean) {
    return new DriverOptions(baseUrl, apiKey, endpoint, maxInflight, timeout, prefixTokens, lean);
  }

  /** The full URL of the endpoint. */
  public String endpointUrl() {
    String base = baseUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base + endpoint.path();
  }
}
