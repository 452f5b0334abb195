package dev.spillway.backends.upstream;

import dev.spillway.backends.spi.BackendSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The settings of one upstream pool, validated once.
 *
 * @param baseUrls one base URL (ending in {@code /v1}) per replica
 * @param apiKey sent as a bearer token, or null; never printed
 * @param upstreamModel the model name sent upstream (the pool's own unless mapped)
 * @param maxConcurrency requests in flight per replica before it reports no capacity
 * @param timeout how long one request may take from submission to its last byte
 * @param healthCheck how each replica is checked actively
 */
record UpstreamSettings(
    List<URI> baseUrls, String apiKey, String upstreamModel, int maxConcurrency, Duration timeout,
    HealthCheck healthCheck) {

  static final int DEFAULT_MAX_CONCURRENCY = 64;
  static final int DEFAULT_TIMEOUT_SECONDS = 600;

  UpstreamSettings {
    baseUrls = List.copyOf(baseUrls);
  }

  static UpstreamSettings from(BackendSpec spec) {
    String pool = spec.pool();
    Object url = spec.settings().get("url");
    Object urls = spec.settings().get("urls");
    List<URI> baseUrls;
    if (url != null && urls != null) {
      throw new IllegalArgumentException(
          pool + ".url: set together with urls (expected: one of url or urls)");
    } else if (urls != null) {
      List<String> listed = list(pool, urls);
      if (listed.size() != spec.replicas()) {
        throw new IllegalArgumentException(
            pool + ".urls: " + listed.size() + " URLs (expected: one per replica, " + spec.replicas() + ")");
      }
      baseUrls = new ArrayList<>(listed.size());
      for (String each : listed) {
        baseUrls.add(baseUrl(pool + ".urls", each));
      }
    } else {
      // One URL for every replica: replicas behind one address (a load balancer, a provider).
      baseUrls = Collections.nCopies(spec.replicas(), baseUrl(pool + ".url", spec.requireString("url")));
    }
    String apiKey = spec.string("apiKey", null);
    if (apiKey != null && apiKey.isBlank()) {
      apiKey = null;
    }
    String model = spec.string("model", spec.model());
    if (model.isBlank()) {
      throw new IllegalArgumentException(pool + ".model: \"\" (expected: the upstream's model name)");
    }
    int maxConcurrency = spec.integer("maxConcurrency", DEFAULT_MAX_CONCURRENCY);
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException(pool + ".maxConcurrency: " + maxConcurrency + " (expected: > 0)");
    }
    int timeoutSeconds = spec.integer("timeoutSeconds", DEFAULT_TIMEOUT_SECONDS);
    if (timeoutSeconds < 1) {
      throw new IllegalArgumentException(pool + ".timeoutSeconds: " + timeoutSeconds + " (expected: > 0)");
    }
    HealthCheck healthCheck = HealthCheck.parse(pool + ".healthCheck", spec.settings().get("healthCheck"));
    return new UpstreamSettings(
        baseUrls, apiKey, model, maxConcurrency, Duration.ofSeconds(timeoutSeconds), healthCheck);
  }

  /** {@code urls} as YAML gives it (a list), or as one comma-separated string. */
  private static List<String> list(String pool, Object urls) {
    List<String> listed = new ArrayList<>();
    if (urls instanceof Iterable) {
      for (Object each : (Iterable<?>) urls) {
        listed.add(String.valueOf(each).trim());
      }
    } else {
      for (String each : urls.toString().split(",")) {
        listed.add(each.trim());
      }
    }
    if (listed.isEmpty()) {
      throw new IllegalArgumentException(pool + ".urls: [] (expected: one base URL per replica)");
    }
    return listed;
  }

  private static URI baseUrl(String key, String value) {
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          key + ": " + value + " (expected: an http(s) base URL such as http://127.0.0.1:8000/v1)");
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          key + ": " + value + " (expected: an http(s) base URL such as http://127.0.0.1:8000/v1)");
    }
    if (uri.getRawUserInfo() != null) {
      // Printed in descriptions and errors; credentials belong in apiKey, which is never printed.
      throw new IllegalArgumentException(
          key + ": a URL with credentials (expected: a base URL without them; set apiKey instead)");
    }
    return uri;
  }

  /** {@code {base}/chat/completions}, whether or not the base ends in a slash. */
  static String chatCompletionsUrl(URI baseUrl) {
    String base = baseUrl.toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions";
  }

  /** Everything but the key, which must never reach a log. */
  @Override
  public String toString() {
    return "UpstreamSettings[baseUrls=" + baseUrls + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", upstreamModel=" + upstreamModel + ", maxConcurrency=" + maxConcurrency
        + ", timeout=" + timeout + ", healthCheck=" + healthCheck + "]";
  }
}
