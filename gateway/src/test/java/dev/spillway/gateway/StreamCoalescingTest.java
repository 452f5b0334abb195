package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens that reach the gateway together leave it together: an upstream that sends 200 SSE events in
 * one write reaches the client in a few HTTP chunks, one per read of the upstream's stream, not one
 * chunk (and one write and flush) per token.
 */
class StreamCoalescingTest {

  private static final int EVENTS = 200;

  private UpstreamGateway gateway;

  @BeforeEach
  void start() throws Exception {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < EVENTS; i++) {
      body.append("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",")
          .append("\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},\"finish_reason\":")
          .append(i == EVENTS - 1 ? "\"length\"" : "null")
          .append("}]}\n\n");
    }
    body.append("data: [DONE]\n\n");
    String answer = body.toString();
    // One write: the gateway may read it in one piece or a few.
    gateway =
        new UpstreamGateway(
            "m", "",
            request -> request.response().putHeader("content-type", "text/event-stream").end(answer));
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  @Test
  void aBurstOfTokensGoesOutInAFewWritesNotOnePerToken() throws Exception {
    String request =
        "{\"model\":\"m\",\"stream\":true,\"max_tokens\":" + EVENTS
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
    byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: " + bytes.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      InputStream in = socket.getInputStream();
      assertThat(line(in)).startsWith("HTTP/1.1 200");
      while (!line(in).isEmpty()) {
        // headers
      }
      int chunks = 0;
      StringBuilder body = new StringBuilder();
      while (true) {
        int size = Integer.parseInt(line(in).trim(), 16);
        if (size == 0) {
          break;
        }
        body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
        line(in);
        chunks++;
      }
      int tokens = body.toString().split("\" tok\"", -1).length - 1;
      assertThat(tokens).isEqualTo(EVENTS);
      assertThat(body.toString()).endsWith("data: [DONE]\n\n");
      // One HTTP chunk per task of the gateway's loop that produced tokens (one per read of the
      // upstream's body) plus the last: far fewer than one per token.
      assertThat(chunks).as("HTTP chunks for %d tokens", EVENTS).isLessThan(EVENTS / 10);
    }
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
