package dev.spillway.gateway;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} on a free port, for the tests that need one. Skips the calling test,
 * saying why, when {@code redis-server} is not installed ({@code .ci/run} installs it).
 */
final class RedisServer implements AutoCloseable {

  final int port;
  private final Process process;

  private RedisServer(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  static RedisServer start() throws Exception {
    String binary = find();
    Assumptions.assumeTrue(
        binary != null,
        "redis-server is not installed: skipping the Redis test (apt-get install redis-server; .ci/run does)");
    for (int attempt = 0; ; attempt++) {
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      Process process =
          new ProcessBuilder(
                  List.of(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      RedisServer server = new RedisServer(port, process);
      if (server.awaitPong()) {
        return server;
      }
      server.close();
      if (attempt == 2) {
        throw new IllegalStateException("redis-server: did not answer PING on port " + port);
      }
    }
  }

  private static String find() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    File sbin = new File("/usr/sbin/redis-server");
    return sbin.canExecute() ? sbin.getPath() : null;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Waits until the server answers PING (or its process ended). */
  private boolean awaitPong() throws InterruptedException {
    for (int i = 0; i < 200 && process.isAlive(); i++) {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(2000);
        OutputStream out = socket.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[7];
        int n = in.read(buf);
        if (n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG")) {
          return true;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(25);
    }
    return false;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
