package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.ledger.LedgerReader;
import dev.spillway.gateway.ledger.UsageRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway told to shut down: it stops taking work at once (503 on {@code /ready} and on new
 * requests), lets the streams in flight finish within its drain timeout, cancels with an explicit
 * error event those that would outlast it, records them, and closes.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GracefulShutdownTest {

  private static final String MODEL_POOL =
      "      - {kind: emulated, accelerator: p5.48xlarge, replicas: 1}\n";

  @TempDir Path ledger;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private GatewayApp app;

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void drainingRefusesNewWorkAndLetsAStreamInFlightFinish() throws Exception {
    // An upstream that sends one token, then holds the stream until the test lets it finish.
    CompletableFuture<HttpServerResponse> held = new CompletableFuture<>();
    HttpServer upstream =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request.body().onSuccess(body -> {
                      HttpServerResponse response = request.response();
                      response.setChunked(true).putHeader("content-type", "text/event-stream");
                      response.write(chunk("\"delta\":{\"content\":\" first\"},\"finish_reason\":null"));
                      held.complete(response);
                    }))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    start(
        "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
            + "ledger: {path: " + ledger + "}\n"
            + "models:\n"
            + "  - name: m\n"
            + "    pools:\n"
            + "      - {kind: upstream, url: 'http://127.0.0.1:" + upstream.actualPort() + "/v1', healthCheck: false}\n");

    try (Socket stream = openStream("m", 16)) {
      InputStream in = stream.getInputStream();
      assertThat(line(in)).startsWith("HTTP/1.1 200");
      skipHeaders(in);
      assertThat(nextChunk(in)).contains(" first");

      Future<GatewayApp.Drained> drained = app.drain(Duration.ofSeconds(20));

      HttpResponse<String> ready = get("/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).isEqualTo("{\"status\":\"draining\"}");
      assertThat(ready.headers().firstValue("retry-after")).hasValue("1");
      HttpResponse<String> late = post("m", 4);
      assertThat(late.statusCode()).isEqualTo(503);
      assertThat(late.body()).contains("\"code\":\"service_unavailable\"").contains("shutting down");
      assertThat(late.headers().firstValue("retry-after")).hasValue("1");
      assertThat(drained.isComplete()).as("drain done while a stream is in flight").isFalse();

      held.get(10, TimeUnit.SECONDS)
          .end(
              chunk("\"delta\":{},\"finish_reason\":\"stop\"")
                  + "data: [DONE]\n\n");
      String rest = restOfBody(in);
      assertThat(rest).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");

      GatewayApp.Drained result =
          drained.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
      assertThat(result).isEqualTo(new GatewayApp.Drained(1, 0));
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", app.port()).close())
        .isInstanceOf(ConnectException.class);
    List<UsageRecord> records = records();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).outcome()).isEqualTo(UsageRecord.Outcome.SUCCESS);
    app = null;
  }

  @Test
  void aStreamThatOutlastsTheDrainTimeoutEndsWithAnErrorEventAndIsRecordedAsCancelled()
      throws Exception {
    start(
        "server: {host: 127.0.0.1, port: 0, eventLoops: 1, drainTimeout: 300ms}\n"
            + "ledger: {path: " + ledger + "}\n"
            + "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    pools:\n"
            + MODEL_POOL);

    // Thousands of tokens: minutes at the emulated decode rate, far past the drain timeout.
    try (Socket stream = openStream("llama-3.1-8b", 100_000)) {
      InputStream in = stream.getInputStream();
      assertThat(line(in)).startsWith("HTTP/1.1 200");
      skipHeaders(in);
      assertThat(nextChunk(in)).contains("\"role\":\"assistant\"");

      Future<GatewayApp.Drained> drained = app.shutdown();
      String rest = restOfBody(in);

      assertThat(rest)
          .contains("data: {\"error\":")
          .contains("\"code\":\"service_unavailable\"")
          .doesNotContain("[DONE]");
      assertThat(drained.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS))
          .isEqualTo(new GatewayApp.Drained(1, 1));
    }
    List<UsageRecord> records = records();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(records.get(0).status()).isEqualTo(503);
    assertThat(records.get(0).completionTokens()).isPositive();
    app = null;
  }

  @Test
  void aPlainRequestThatOutlastsTheDrainTimeoutGetsA503AndIsRecordedAsCancelled() throws Exception {
    start(
        "server: {host: 127.0.0.1, port: 0, eventLoops: 1}\n"
            + "ledger: {path: " + ledger + "}\n"
            + "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    pools:\n"
            + MODEL_POOL);
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body("llama-3.1-8b", 100_000, false)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    while (app.inFlight() == 0) {
      Thread.onSpinWait();
    }

    GatewayApp.Drained drained =
        app.drain(Duration.ofMillis(200)).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);

    HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body())
        .contains("\"type\":\"server_error\"")
        .contains("\"code\":\"service_unavailable\"");
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    assertThat(drained).isEqualTo(new GatewayApp.Drained(1, 1));
    List<UsageRecord> records = records();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).outcome()).isEqualTo(UsageRecord.Outcome.CANCELLED);
    assertThat(records.get(0).status()).isEqualTo(503);
    app = null;
  }

  @Test
  void aStreamWhoseClientLeftIsNotWaitedFor() throws Exception {
    start(
        "server: {host: 127.0.0.1, port: 0, eventLoops: 1}\n"
            + "ledger: {path: " + ledger + "}\n"
            + "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    pools:\n"
            + MODEL_POOL);
    try (Socket stream = openStream("llama-3.1-8b", 100_000)) {
      InputStream in = stream.getInputStream();
      assertThat(line(in)).startsWith("HTTP/1.1 200");
      assertThat(app.inFlight()).isEqualTo(1);
    }
    while (app.inFlight() > 0) {
      Thread.onSpinWait(); // until the gateway sees the connection closed
    }

    GatewayApp.Drained drained =
        app.drain(Duration.ofSeconds(20)).toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);

    assertThat(drained).isEqualTo(new GatewayApp.Drained(0, 0));
    List<UsageRecord> records = records();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).status()).isEqualTo(499);
    app = null;
  }

  private void start(String yaml) throws Exception {
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    app =
        GatewayApp.start(vertx, config, Profiles.builtIn())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  private List<UsageRecord> records() {
    List<UsageRecord> records = new ArrayList<>();
    LedgerReader.read(ledger, records::add);
    return records;
  }

  private static String chunk(String choice) {
    return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
        + "\"choices\":[{\"index\":0," + choice + "}]}\n\n";
  }

  private static String body(String model, int maxTokens, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
  }

  /** A streamed chat request on a raw connection, to read its chunks as they come. */
  private Socket openStream(String model, int maxTokens) throws IOException {
    byte[] bytes = body(model, maxTokens, true).getBytes(StandardCharsets.UTF_8);
    Socket socket = new Socket("127.0.0.1", app.port());
    socket.setSoTimeout(15_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
    return socket;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String model, int maxTokens) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/chat/completions"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body(model, maxTokens, false)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void skipHeaders(InputStream in) throws IOException {
    while (!line(in).isEmpty()) {
      // headers
    }
  }

  /** One HTTP chunk's data; empty for the last chunk. */
  private static String nextChunk(InputStream in) throws IOException {
    int size = Integer.parseInt(line(in).trim(), 16);
    if (size == 0) {
      line(in);
      return "";
    }
    String data = new String(in.readNBytes(size), StandardCharsets.UTF_8);
    line(in);
    return data;
  }

  /** The chunks up to the body's end (the zero-size chunk). */
  private static String restOfBody(InputStream in) throws IOException {
    StringBuilder body = new StringBuilder();
    for (String chunk = nextChunk(in); !chunk.isEmpty(); chunk = nextChunk(in)) {
      body.append(chunk);
    }
    return body.toString();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("closed");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
