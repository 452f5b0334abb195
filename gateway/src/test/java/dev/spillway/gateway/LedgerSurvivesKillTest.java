package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.gateway.ledger.LedgerReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's promise under the worst ending: a gateway in its own JVM, under concurrent load, killed
 * with SIGKILL. Every response a client received whole has its record on disk; a restarted gateway on
 * the same directory reads the ledger — a torn last line included — serves, and appends.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LedgerSurvivesKillTest {

  private static final Pattern LISTENING = Pattern.compile("models at http://127\\.0\\.0\\.1:(\\d+)/v1");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CLIENTS = 12;
  private static final int COMPLETE_BEFORE_KILL = 120;

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyResponseReceivedWholeBeforeAKillHasItsRecordAndARestartReadsTheLedger() throws Exception {
    Path ledger = dir.resolve("ledger");
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(
        config,
        "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
            + "ledger: {path: " + ledger + ", maxFileBytes: 65536}\n"
            + "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    pools:\n"
            + "      - {kind: emulated, accelerator: p5.48xlarge, replicas: 2}\n");

    // 1. Load, then SIGKILL in the middle of it.
    Process first = start(config, dir.resolve("first.log"));
    int port = port(dir.resolve("first.out"), first);
    ConcurrentLinkedQueue<String> complete = new ConcurrentLinkedQueue<>();
    AtomicInteger started = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                for (int n = 0; !stop.get(); n++) {
                  String id = "kill-" + client + "-" + n;
                  started.incrementAndGet();
                  if (request(port, id, n % 2 == 0)) {
                    complete.add(id);
                    if (complete.size() == COMPLETE_BEFORE_KILL) {
                      // SIGKILL at once, from the thread that has just read a whole response: no
                      // shutdown hook, no close, no flush; other requests are mid-flight.
                      first.destroyForcibly();
                    }
                  }
                }
              });
      t.start();
      clients.add(t);
    }
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("killed after %d responses", COMPLETE_BEFORE_KILL).isTrue();
    stop.set(true);
    for (Thread t : clients) {
      t.join(15_000);
    }
    Set<String> received = new HashSet<>(complete);
    assertThat(received).hasSizeGreaterThanOrEqualTo(COMPLETE_BEFORE_KILL);
    assertThat(started.get()).isGreaterThan(received.size()); // some were cut off by the kill

    // 2. Every response received whole has its record.
    Set<String> recorded = new HashSet<>();
    LedgerReader.read(ledger, r -> recorded.add(r.requestId()));
    assertThat(recorded).containsAll(received);

    // 3. A torn last line, as a kill in the middle of a write leaves one.
    Path last;
    try (Stream<Path> files = Files.list(ledger)) {
      last = files.sorted().reduce((a, b) -> b).orElseThrow();
    }
    Files.writeString(last, "{\"request_id\":\"torn\",\"tenant\":\"ac", StandardOpenOption.APPEND);
    long tornSize = Files.size(last);

    // 4. A restart on the same directory reads it, skips the torn line, serves and appends.
    Process second = start(config, dir.resolve("second.log"));
    int restarted = port(dir.resolve("second.out"), second);
    assertThat(Files.readString(dir.resolve("second.log"))).contains("torn last line");
    JsonNode before = usage(restarted);
    assertThat(before.path("total").path("requests").asLong()).isEqualTo(recorded.size());
    assertThat(before.path("skipped_lines").asLong()).isEqualTo(1);
    assertThat(request(restarted, "after-restart", false)).isTrue();
    JsonNode after = usage(restarted);
    assertThat(after.path("total").path("requests").asLong()).isEqualTo(recorded.size() + 1);
    assertThat(second.isAlive()).isTrue();
    assertThat(Files.size(last)).isEqualTo(tornSize); // appends went to a new file
  }

  /** Starts the gateway in a JVM of its own, on this test's classpath; its log goes to {@code log}. */
  private Process start(Path config, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path out = log.resolveSibling(log.getFileName().toString().replace(".log", ".out"));
    Process process =
        new ProcessBuilder(
                java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.spillway.gateway.GatewayMain", "--config", config.toString())
            .redirectOutput(out.toFile())
            .redirectError(log.toFile())
            .start();
    processes.add(process);
    return process;
  }

  /** The port the gateway printed once it listened. */
  private static int port(Path out, Process process) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(out));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      assertThat(process.isAlive()).as("gateway exited: %s", Files.readString(out)).isTrue();
      Thread.sleep(20);
    }
    throw new AssertionError("gateway did not start: " + Files.readString(out));
  }

  /** Sends one request; true when its response arrived whole: a full JSON body, or a stream to [DONE]. */
  private boolean request(int port, String id, boolean stream) {
    String body =
        "{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"Count to ten.\"}],"
            + "\"max_tokens\":8,\"stream\":" + stream + "}";
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                  .timeout(Duration.ofSeconds(10))
                  .header("content-type", "application/json")
                  .header("x-request-id", id)
                  .header("x-spillway-tenant", "tenant-" + (id.hashCode() & 3))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return false;
      }
      if (stream) {
        return response.body().endsWith("data: [DONE]\n\n");
      }
      return JSON.readTree(response.body()).path("usage").path("completion_tokens").asInt() > 0;
    } catch (IOException e) {
      return false; // cut off by the kill, or refused after it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private JsonNode usage(int port) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/usage?group_by=tenant"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
