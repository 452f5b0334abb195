package dev.spillway.backends.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.spillway.backends.emulator.Deployment;
import dev.spillway.backends.emulator.LatencyModel;
import dev.spillway.backends.emulator.Profiles;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A streamed answer sends nothing, not even its status line, before the first token is ready: a
 * client that takes TTFT at the first SSE event (vLLM's bench) or at the first byte must see the
 * model's prefill time, not the round trip. Read on a raw socket, so no client buffering hides an
 * early write.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmulatorServerFirstByteTest {

  static final String ACCELERATOR = "trn2.48xlarge";
  static final String MODEL = "llama-3.3-70b";
  /** Long enough that prefill takes tens of milliseconds, far above a loopback round trip. */
  static final String PROMPT = "The river runs under the old stone bridge. ".repeat(600);

  private Vertx vertx;
  private EmulatorServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        EmulatorServer.start(vertx, ServeOptions.of(ACCELERATOR, MODEL))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void sendsNoByteOfAStreamedAnswerBeforeTheFirstToken() throws Exception {
    Profiles profiles = Profiles.builtIn();
    Deployment deployment =
        Deployment.of(profiles, profiles.accelerator(ACCELERATOR), profiles.model(MODEL), null, 0, null);
    double prefillMs =
        new LatencyModel(deployment).prefillSeconds(EmulatorServerTest.promptTokens(PROMPT)) * 1e3;
    assumeThat(prefillMs).as("predicted prefill, ms").isGreaterThan(30.0);

    firstBytes(16); // warm up the server's code paths
    FirstBytes first = firstBytes(4);

    assertThat(first.millis)
        .as("first byte after %.1f ms; predicted prefill %.1f ms", first.millis, prefillMs)
        .isGreaterThan(prefillMs * 0.8);
    assertThat(first.text).startsWith("HTTP/1.1 200");
    String body = first.text.substring(first.text.indexOf("\r\n\r\n") + 4);
    assertThat(body)
        .as("the first event holds the role and the first token together")
        .contains("\"role\":\"assistant\"")
        .containsPattern("\"delta\":\\{\"content\":\"[^\"]+\"");
  }

  /** What arrived first on a fresh connection, and how long after the request was written. */
  private record FirstBytes(double millis, String text) {}

  private FirstBytes firstBytes(int maxTokens) throws Exception {
    String body =
        "{\"model\":\"" + MODEL + "\",\"stream\":true,\"max_tokens\":" + maxTokens
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + payload.length
              + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      long sent = System.nanoTime();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      int n = in.read(buffer);
      long arrived = System.nanoTime();
      assertThat(n).as("bytes in the first read").isPositive();
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      text.write(buffer, 0, n);
      // The head and the first event may arrive in separate reads; the first event is what counts.
      while (!text.toString(StandardCharsets.UTF_8).contains("\n\n") || !hasBody(text)) {
        int more = in.read(buffer);
        if (more < 0) {
          break;
        }
        text.write(buffer, 0, more);
      }
      in.transferTo(OutputStream.nullOutputStream());
      return new FirstBytes((arrived - sent) / 1e6, text.toString(StandardCharsets.UTF_8));
    }
  }

  private static boolean hasBody(ByteArrayOutputStream text) {
    String s = text.toString(StandardCharsets.UTF_8);
    int head = s.indexOf("\r\n\r\n");
    return head >= 0 && s.indexOf("\n\n", head + 4) >= 0;
  }
}
