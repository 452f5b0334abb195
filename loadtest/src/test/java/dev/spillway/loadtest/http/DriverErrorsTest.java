package dev.spillway.loadtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each way a request can fail is recorded under its kind. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DriverErrorsTest {

  private static WorkloadOptions workload(int requests) {
    return WorkloadOptions.builder(new Arrival.Constant(50), "m")
        .requests(requests)
        .inputLength(new LengthSpec.Fixed(8))
        .outputLength(new LengthSpec.Fixed(6))
        .build();
  }

  @Test
  void anHttpErrorStatusIsRecordedAsHttpStatus() throws Exception {
    ScriptedServer.Script script = ScriptedServer.Script.tokens(5, 2, 6).failing(ScriptedServer.Failure.STATUS_429);
    try (ScriptedServer server = new ScriptedServer(script)) {
      RunResult result = Runs.run(workload(3), Runs.against(server));

      assertThat(result.records()).allSatisfy(r -> assertThat(r.error()).isEqualTo("http_429"));
      assertThat(result.firstErrors().get("http_429")).contains("slow down");
    }
  }

  @Test
  void aStreamThatBreaksIsAStreamError() throws Exception {
    ScriptedServer.Script script =
        ScriptedServer.Script.tokens(5, 2, 6).failing(ScriptedServer.Failure.CLOSE_MID_STREAM);
    try (ScriptedServer server = new ScriptedServer(script)) {
      RunResult result = Runs.run(workload(3), Runs.against(server));

      assertThat(result.records()).allSatisfy(r -> {
        assertThat(r.error()).isEqualTo("stream_error");
        assertThat(r.tokenNanos()).hasSize(3);
        assertThat(r.firstTokenNanos()).isPositive();
      });
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    ScriptedServer.Script script = ScriptedServer.Script.tokens(5, 2, 6).failing(ScriptedServer.Failure.SILENT);
    try (ScriptedServer server = new ScriptedServer(script)) {
      RunResult result = Runs.run(workload(2), Runs.against(server).withTimeout(Duration.ofMillis(300)));

      assertThat(result.records()).allSatisfy(r -> {
        assertThat(r.error()).isEqualTo("timeout");
        assertThat(r.e2eNanos() / 1e6).isBetween(295.0, 400.0);
      });
    }
  }

  @Test
  void aRefusedConnectionIsAConnectionError() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    RunResult result = Runs.run(workload(2), DriverOptions.of(URI.create("http://127.0.0.1:" + port + "/v1")));

    assertThat(result.records()).hasSize(2).allSatisfy(r -> assertThat(r.error()).isEqualTo("connection"));
  }

  @Test
  void theInflightBoundDelaysSendsAndTheDelayShowsAsLag() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(100, 1, 2))) {
      RunResult result = Runs.run(workload(6), Runs.against(server).withMaxInflight(1));

      assertThat(result.records()).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
      // one at a time, ~100 ms each, scheduled 20 ms apart: the last goes out ~400 ms late
      var last = result.records().get(5);
      assertThat((last.sentNanos() - last.intendedStartNanos()) / 1e6).isGreaterThan(300);
      assertThat(last.e2eNanos()).isGreaterThan(last.endNanos() - last.sentNanos());
    }
  }
}
