package dev.spillway.gateway;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A gateway in a JVM of its own ({@link GatewayMain} on this test's class path), as a replica is
 * deployed: nothing shared with the test or another replica but the network.
 */
final class GatewayProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("at http://[^:]+:(\\d+)/v1");

  final Process process;
  final int port;
  final StringBuffer output;

  private GatewayProcess(Process process, int port, StringBuffer output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /** Starts {@code --config config --port 0} and waits for its listening line. */
  static GatewayProcess start(Path config) throws Exception {
    ChildJvm jvm =
        ChildJvm.start(
            GatewayMain.class, List.of("--config", config.toString(), "--port", "0"), LISTENING);
    return new GatewayProcess(jvm.process, jvm.port, jvm.output);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
