package dev.spillway.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.gateway.config.ServerConfig;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.tenancy.Tenancy;
import dev.spillway.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GatewayServer} on two event loops over a {@link ScriptedGateway} on a third context, on a
 * free port, with HTTP helpers.
 */
final class TestServer {

  static final long MAX_BODY_BYTES = 64 * 1024;
  static final String METRICS = "# TYPE spillway_requests_total counter\nspillway_requests_total 3\n";
  static final ObjectMapper JSON = new ObjectMapper();

  final Vertx vertx;
  final Context core;
  final List<Context> loops;
  final ScriptedGateway gateway;
  final GatewayServer server;
  final HttpClient http;
  final String base;

  TestServer() throws Exception {
    this(Ledger.disabled());
  }

  /** Recording usage in {@code ledger}. */
  TestServer(Ledger ledger) throws Exception {
    this(Tenancy.OPEN, ledger);
  }

  /** With {@code tenancy}'s keys and limits, recording usage in {@code ledger}. */
  TestServer(Tenancy tenancy, Ledger ledger) throws Exception {
    // The gateway's transport, as GatewayMain runs it: cleartext HTTP/2 with prior knowledge on.
    vertx = Vertx.builder().withTransport(GatewayTransport.of(io.vertx.core.transport.Transport.NIO)).build();
    VertxInternal internal = (VertxInternal) vertx;
    core = internal.createEventLoopContext();
    loops = List.of(internal.createEventLoopContext(), internal.createEventLoopContext());
    gateway = new ScriptedGateway(vertx, core);
    server =
        GatewayServer.start(
                vertx, loops, gateway, tenancy, new ServerConfig("127.0.0.1", 0, MAX_BODY_BYTES, 2),
                () -> METRICS, GatewayMetrics.NOOP, ledger)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    base = "http://127.0.0.1:" + server.port();
  }

  int port() {
    return server.port();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(5))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** A chat request body for the chat model with {@code extra} fields appended. */
  static String chat(String extra) {
    return "{\"model\":\"" + ScriptedGateway.CHAT_MODEL + "\",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"Say hello.\"}]" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /**
   * A raw HTTP/1.1 exchange on its own socket, so that tests see the body's exact bytes and whether
   * the chunked body ended (its terminal chunk arrived) while the connection stays open.
   */
  static final class Raw implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    int status;
    final Map<String, String> headers = new LinkedHashMap<>();

    Raw(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(5000);
      in = socket.getInputStream();
    }

    /** Sends a keep-alive POST and reads the status line and headers. */
    Raw post(String path, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      return send(
          "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              + "Content-Length: " + bytes.length + "\r\n\r\n",
          bytes);
    }

    /** Sends a keep-alive GET and reads the status line and headers. */
    Raw get(String path) throws IOException {
      return send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", new byte[0]);
    }

    private Raw send(String head, byte[] body) throws IOException {
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      headers.clear();
      String statusLine = line();
      status = Integer.parseInt(statusLine.split(" ")[1]);
      for (String line = line(); !line.isEmpty(); line = line()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      return this;
    }

    /** The next chunk's data, or null at the terminal chunk (the end of the body). */
    byte[] chunk() throws IOException {
      int size = Integer.parseInt(line().split(";")[0].trim(), 16);
      byte[] data = in.readNBytes(size);
      if (data.length != size) {
        throw new IOException("connection closed inside a chunk");
      }
      String crlf = line();
      if (!crlf.isEmpty()) {
        throw new IOException("chunk not followed by CRLF: " + crlf);
      }
      return size == 0 ? null : data;
    }

    /** Reads the rest of a chunked body, up to and including its terminal chunk. */
    String chunkedBody() throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (byte[] data = chunk(); data != null; data = chunk()) {
        body.write(data);
      }
      return body.toString(StandardCharsets.UTF_8);
    }

    /** A body sent with a content-length. */
    String fixedBody() throws IOException {
      int length = Integer.parseInt(headers.get("content-length"));
      return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        if (b == '\n') {
          break;
        }
        line.write(b);
      }
      if (b == -1 && line.size() == 0) {
        throw new IOException("connection closed");
      }
      String text = line.toString(StandardCharsets.US_ASCII);
      return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
