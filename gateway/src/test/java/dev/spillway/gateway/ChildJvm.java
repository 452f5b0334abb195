package dev.spillway.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A main class of this test's class path in a JVM of its own, as it is deployed: nothing shared with
 * the test but the network. Started with a small heap and the quick compiler; ready when a line of
 * its output matches the pattern, whose first group is the port it listens on.
 */
final class ChildJvm {

  final Process process;
  final int port;
  /** Everything it printed so far (stdout and stderr), filled while it runs. */
  final StringBuffer output;

  private ChildJvm(Process process, int port, StringBuffer output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  static ChildJvm start(Class<?> main, List<String> args, Pattern listening) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(
        java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        main.getName()));
    command.addAll(args);
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
                  Matcher m = listening.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                }
              } catch (Exception e) {
                port.completeExceptionally(e);
              }
              port.completeExceptionally(new IllegalStateException(main.getSimpleName() + " exited:\n" + output));
            },
            main.getSimpleName() + "-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return new ChildJvm(process, port.get(60, TimeUnit.SECONDS), output);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException(main.getSimpleName() + " did not start:\n" + output, e);
    }
  }
}
