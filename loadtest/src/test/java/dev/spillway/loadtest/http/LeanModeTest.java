package dev.spillway.loadtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lean mode times each request at its first and last body bytes, from its intended start, without
 * parsing chunks; a stream cut short or an error status still fails.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeanModeTest {

  private static WorkloadOptions constant(double rate, int requests, boolean stream) {
    return WorkloadOptions.builder(new Arrival.Constant(rate), "m")
        .requests(requests)
        .inputLength(new LengthSpec.Fixed(16))
        .outputLength(new LengthSpec.Fixed(5))
        .stream(stream)
        .build();
  }

  @Test
  void timesAStreamAtItsFirstAndLastBytesWithOneTokenRecorded() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(40, 10, 5))) {
      RunResult result = Runs.run(constant(20, 10, true), Runs.against(server).withLean(true));

      assertThat(result.records()).hasSize(10);
      for (RequestRecord r : result.records()) {
        assertThat(r.error()).as("error of %d", r.index()).isNull();
        assertThat(r.ttftNanos() / 1e6).as("first bytes of %d, ms", r.index()).isBetween(38.0, 200.0);
        assertThat(r.e2eNanos() / 1e6).as("end of %d, ms", r.index()).isGreaterThanOrEqualTo(78.0);
        assertThat(r.outputTokens()).isEqualTo(1);
        assertThat(r.pool()).isEmpty();
      }
      Summary s = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      assertThat(s.itl().count()).isZero();
      assertThat(s.tpot().count()).isZero();
    }
  }

  @Test
  void timesAPlainAnswerAtItsBody() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(30, 0, 1))) {
      RunResult result = Runs.run(constant(20, 5, false), Runs.against(server).withLean(true));

      assertThat(result.records()).allSatisfy(r -> {
        assertThat(r.succeeded()).isTrue();
        assertThat(r.e2eNanos() / 1e6).isGreaterThanOrEqualTo(28.0);
        assertThat(r.ttftNanos()).isLessThanOrEqualTo(r.e2eNanos());
      });
    }
  }

  @Test
  void failsAStreamThatEndsBeforeDone() throws Exception {
    ScriptedServer.Script script =
        ScriptedServer.Script.tokens(5, 5, 6).failing(ScriptedServer.Failure.CLOSE_MID_STREAM);
    try (ScriptedServer server = new ScriptedServer(script)) {
      RunResult result = Runs.run(constant(20, 4, true), Runs.against(server).withLean(true));

      assertThat(result.records()).allSatisfy(r -> assertThat(r.error()).isEqualTo("stream_error"));
    }
  }

  @Test
  void failsAnErrorStatusByItsCode() throws Exception {
    ScriptedServer.Script script = ScriptedServer.Script.tokens(5, 5, 3).failing(ScriptedServer.Failure.STATUS_429);
    try (ScriptedServer server = new ScriptedServer(script)) {
      RunResult result = Runs.run(constant(20, 4, true), Runs.against(server).withLean(true));

      assertThat(result.records()).allSatisfy(r -> assertThat(r.error()).isEqualTo("http_429"));
      assertThat(result.firstErrors()).containsKey("http_429");
    }
  }

  @Test
  void countsAStallFromEachRequestsIntendedStart() throws Exception {
    ScriptedServer.Script script = ScriptedServer.Script.tokens(5, 2, 3).withStall(500, 1000);
    try (ScriptedServer server = new ScriptedServer(script)) {
      WorkloadOptions options = WorkloadOptions.builder(new Arrival.Constant(40), "m")
          .requests(0)
          .duration(Duration.ofMillis(2000))
          .inputLength(new LengthSpec.Fixed(16))
          .outputLength(new LengthSpec.Fixed(3))
          .build();

      RunResult result = Runs.run(options, Runs.against(server).withLean(true));

      assertThat(result.records()).hasSize(80).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
      Summary s = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      assertThat(s.e2el().p99Ms()).isGreaterThan(900);
      assertThat(s.scheduleLag().maxMs()).isLessThan(50);
    }
  }
}
