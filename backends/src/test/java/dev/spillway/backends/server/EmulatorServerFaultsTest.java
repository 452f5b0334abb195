package dev.spillway.backends.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.emulator.Chance;
import dev.spillway.backends.emulator.Crash;
import dev.spillway.backends.emulator.Faults;
import dev.spillway.backends.emulator.SlowStart;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code serve}'s fault flags, and a server started with them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmulatorServerFaultsTest {

  private static ServeOptions parse(String... faults) throws ServeCommand.UsageException {
    String[] args = new String[faults.length + 4];
    args[0] = "--accelerator";
    args[1] = "trn2.48xlarge";
    args[2] = "--model";
    args[3] = "llama-3.3-70b";
    System.arraycopy(faults, 0, args, 4, faults.length);
    return ServeCommand.parse(args);
  }

  @Test
  void parsesEveryFaultFlag() throws Exception {
    ServeOptions options =
        parse(
            "--error-rate", "0.2", "--latency-spike=0.1:2s", "--stall", "0.05:10s", "--disconnect",
            "0.01", "--slow-start", "20:1500ms", "--crash-after", "30s", "--recover-after=1m",
            "--fault-seed", "42");
    assertThat(options.faults())
        .isEqualTo(
            new Faults(
                0.2, new Chance(0.1, Duration.ofSeconds(2)), new Chance(0.05, Duration.ofSeconds(10)),
                0.01, new SlowStart(20, Duration.ofMillis(1500)),
                Optional.of(new Crash(Duration.ofSeconds(30), Duration.ofMinutes(1))), 42));
    assertThat(parse().faults()).isEqualTo(Faults.NONE);
  }

  @Test
  void rejectsBadFaultFlagsNamingThem() {
    assertThatThrownBy(() -> parse("--error-rate", "1.5"))
        .hasMessage("--error-rate: 1.5 (expected: a probability from 0 to 1)");
    assertThatThrownBy(() -> parse("--latency-spike", "0.1"))
        .hasMessage("--latency-spike: 0.1 (expected: P:DURATION, a probability and a duration, e.g. 0.1:2s)");
    assertThatThrownBy(() -> parse("--stall", "0.1:10"))
        .hasMessage("--stall: 0.1:10 (expected: P:DURATION, a probability and a duration, e.g. 0.1:2s)");
    assertThatThrownBy(() -> parse("--crash-after", "30s"))
        .hasMessage("--recover-after: missing (expected: --crash-after and --recover-after together)");
    assertThatThrownBy(() -> parse("--slow-start", "x:2s"))
        .hasMessageStartingWith("--slow-start: x");
  }

  @Test
  void helpListsTheFaultFlags() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ServeCommand.run(
        new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--error-rate P", "--latency-spike P:D", "--stall P:D", "--disconnect P",
            "--slow-start N:D", "--crash-after D", "--recover-after D", "--fault-seed N");
  }

  @Test
  void aServerStartedWithErrorRateOneAnswersEveryRequestWith5xx() throws Exception {
    ServeOptions options = parse("--port", "0", "--error-rate", "1");
    Vertx vertx = Vertx.vertx();
    EmulatorServer server =
        EmulatorServer.start(vertx, options).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (boolean stream : new boolean[] {false, true}) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .header("content-type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"llama-3.3-70b\",\"max_tokens\":4,\"stream\":" + stream
                                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi.\"}]}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isBetween(500, 599);
        JsonNode error = new ObjectMapper().readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).contains("injected error");
      }
    } finally {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
