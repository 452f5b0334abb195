package dev.spillway.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway in a JVM of its own ({@link GatewayMain} on this test's class path), as a replica is
 * deployed: nothing shared with the test or another replica but the network.
 */
final class GatewayProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("at http://[^:]+:(\\d+)/v1");

  final Process process;
  final int port;
  final StringBuffer output = new StringBuffer();

  private GatewayProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts {@code --config config --port 0} and waits for its listening line. */
  static GatewayProcess start(Path config) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(
        java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        GatewayMain.class.getName(), "--config", config.toString(), "--port", "0"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuffer output = new StringBuffer();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  output.append(line).append('\n');
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (Exception e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(new IllegalStateException("gateway exited:\n" + output));
            },
            "gateway-process-output");
    reader.setDaemon(true);
    reader.start();
    try {
      GatewayProcess gateway = new GatewayProcess(process, port.get(60, TimeUnit.SECONDS));
      gateway.output.append(output);
      return gateway;
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("gateway process did not start:\n" + output, e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
