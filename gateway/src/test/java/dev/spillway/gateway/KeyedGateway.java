package dev.spillway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import dev.spillway.gateway.tenancy.KeyRing;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway (emulated pools) started from YAML on port 0, with HTTP helpers. {@code sha(secret)}
 * in the YAML stands for the SHA-256 of {@code secret}.
 */
final class KeyedGateway implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final Vertx vertx;
  final GatewayApp app;
  final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  final String base;

  KeyedGateway(String yaml) throws Exception {
    this(Vertx.vertx(), yaml);
  }

  KeyedGateway(Vertx vertx, String yaml) throws Exception {
    this.vertx = vertx;
    GatewayConfig config = new ConfigLoader(name -> null).parse(withHashes(yaml), "test");
    if (!yaml.contains("ledger:")) {
      config = config.withLedger(LedgerConfig.disabled()); // no ledger unless the test asks for one
    }
    app = GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + app.port();
  }

  /** Replaces {@code sha(secret)} with the secret's SHA-256. */
  static String withHashes(String yaml) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("sha\\(([^)]*)\\)").matcher(yaml);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, KeyRing.sha256Hex(m.group(1)));
    }
    return m.appendTail(out).toString();
  }

  HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A chat completion for {@code model} of at most {@code maxTokens} tokens. */
  HttpResponse<String> chat(String model, int maxTokens, String... headers) throws Exception {
    return post("/v1/chat/completions", chatBody(model, maxTokens, ""), headers);
  }

  static String chatBody(String model, int maxTokens, String extra) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]" + extra + "}";
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Override
  public void close() throws Exception {
    app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
