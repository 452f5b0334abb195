package dev.spillway.gateway;

import dev.spillway.backends.Main;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The standalone emulator ({@code serve}) in a JVM of its own, on loopback: an upstream the test can
 * kill with SIGKILL and start again on the same port.
 */
final class ServeProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile(", at http://[^:]+:(\\d+)$");

  final Process process;
  final int port;
  final StringBuffer output;

  private ServeProcess(Process process, int port, StringBuffer output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /** Starts {@code serve} with {@code flags} on {@code port} (0 for a free one); waits until it listens. */
  static ServeProcess start(int port, String... flags) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port)));
    args.addAll(List.of(flags));
    ChildJvm jvm = ChildJvm.start(Main.class, args, LISTENING);
    return new ServeProcess(jvm.process, jvm.port, jvm.output);
  }

  /** SIGKILL: no shutdown hook, no goodbye to open connections. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
