package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.gateway.ledger.LedgerReader;
import dev.spillway.gateway.ledger.UsageRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a gateway in its own JVM, as an orchestrator stops it: the request in flight still gets
 * its answer, its usage is on disk, and the process exits with status 0.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SigtermDrainTest {

  @TempDir Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void sigtermLetsTheRequestInFlightFinishRecordsItAndExitsZero() throws Exception {
    Path ledger = dir.resolve("ledger");
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        "server: {host: 127.0.0.1, port: 0, eventLoops: 1, drainTimeout: 30s}\n"
            + "ledger: {path: " + ledger + "}\n"
            + "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    pools:\n"
            + "      - {kind: emulated, accelerator: p5.48xlarge, replicas: 1}\n");
    Path out = dir.resolve("gateway.out");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process gateway =
        new ProcessBuilder(
                java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName(), "--config", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      String base = "http://127.0.0.1:" + port(out, gateway);
      CompletableFuture<HttpResponse<String>> answer =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                  .header("content-type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"model\":\"llama-3.1-8b\",\"max_tokens\":400,"
                              + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // Running on the replica: in flight when the signal comes.
      while (!get(base + "/admin/pools").contains("\"running\":1")) {
        assertThat(answer).as("answered before the signal").isNotDone();
        Thread.onSpinWait();
      }

      gateway.destroy(); // SIGTERM

      HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"finish_reason\":\"length\"");
      assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
      String output = Files.readString(out);
      assertThat(gateway.exitValue()).as("exit status\n%s", output).isZero();
      assertThat(output)
          .contains("draining 1 requests")
          .contains("(1 requests finished, 0 cancelled)");
      String id = response.headers().firstValue("x-request-id").orElseThrow();
      List<UsageRecord> records = new ArrayList<>();
      LedgerReader.read(ledger, records::add);
      assertThat(records).hasSize(1);
      assertThat(records.get(0).requestId()).isEqualTo(id);
      assertThat(records.get(0).outcome()).isEqualTo(UsageRecord.Outcome.SUCCESS);
      assertThat(records.get(0).completionTokens()).isEqualTo(400);
    } finally {
      gateway.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The port the gateway printed once it listened. */
  private static int port(Path out, Process process) throws Exception {
    Pattern listening = Pattern.compile("models at http://127\\.0\\.0\\.1:(\\d+)/v1");
    while (true) {
      Matcher m = listening.matcher(Files.readString(out));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertThat(process.isAlive()).as("gateway exited: %s", Files.readString(out)).isTrue();
      Thread.sleep(20);
    }
  }

  private String get(String uri) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
