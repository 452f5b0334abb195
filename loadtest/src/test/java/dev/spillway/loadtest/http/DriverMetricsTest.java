package dev.spillway.loadtest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The driver's measurements against a server whose timings are known. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DriverMetricsTest {

  private static WorkloadOptions.Builder workload(int requests) {
    return WorkloadOptions.builder(new Arrival.Constant(5), "m")
        .requests(requests)
        .inputLength(new LengthSpec.Fixed(64))
        .outputLength(new LengthSpec.Fixed(21));
  }

  @Test
  void measuresTtftTpotAndItlOfAStreamedChatCompletion() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(100, 10, 21))) {
      RunResult result = Runs.run(workload(6).build(), Runs.against(server));

      assertThat(result.records()).hasSize(6).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
      Summary s = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      // a few ms over 100: the loopback, and hops between event loops on a shared machine
      assertThat(s.ttft().medianMs()).isBetween(99.0, 112.0);
      assertThat(s.tpot().meanMs()).isBetween(9.5, 10.8);
      assertThat(s.itl().medianMs()).isBetween(9.0, 11.0);
      assertThat(s.e2el().medianMs()).isBetween(299.0, 315.0);
      RequestRecord first = result.records().get(0);
      assertThat(first.tokenNanos()).hasSize(21); // the role chunk and the first content are one arrival
      assertThat(first.outputTokens()).isEqualTo(21); // from usage
      assertThat(first.pool()).isEqualTo("pool-b"); // from the spillway object of the usage chunk
      assertThat(first.costUsd()).isEqualTo(0.0001);
      assertThat(first.priceUsd()).isEqualTo(0.0003);
      assertThat(s.scheduleLag().behindSchedule()).isFalse();
    }
  }

  @Test
  void measuresTextCompletionsToo() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(50, 10, 11))) {
      RunResult result = Runs.run(workload(3).outputLength(new LengthSpec.Fixed(11)).build(),
          Runs.against(server).withEndpoint(Endpoint.COMPLETIONS));

      assertThat(result.records()).allSatisfy(r -> {
        assertThat(r.succeeded()).isTrue();
        assertThat(r.tokenNanos()).hasSize(11);
        assertThat(r.ttftNanos() / 1e6).isBetween(49.0, 70.0);
      });
    }
  }

  @Test
  void aPlainResponseReadsUsageAndTheSpillwayHeaders() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(100, 10, 21))) {
      RunResult result = Runs.run(workload(4).stream(false).build(), Runs.against(server));

      assertThat(result.records()).allSatisfy(record -> {
        assertThat(record.succeeded()).isTrue();
        assertThat(record.outputTokens()).isEqualTo(21);
        assertThat(record.tokenNanos()).containsExactly(record.endNanos());
        assertThat(record.firstTokenNanos()).isEqualTo(record.endNanos());
        assertThat(record.pool()).isEqualTo("pool-a");
        assertThat(record.costUsd()).isEqualTo(0.0002);
        assertThat(record.priceUsd()).isEqualTo(0.0005);
      });
      Summary s = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      assertThat(s.e2el().minMs()).isBetween(299.0, 312.0);
      assertThat(s.ttft().medianMs()).isEqualTo(s.e2el().medianMs());
    }
  }

  @Test
  void aClosedLoopKeepsItsClientsBusy() throws Exception {
    try (ScriptedServer server = new ScriptedServer(ScriptedServer.Script.tokens(20, 5, 3))) {
      WorkloadOptions options = workload(12).arrival(new Arrival.ClosedLoop(3)).build();

      RunResult result = Runs.run(options, Runs.against(server));

      assertThat(result.records()).hasSize(12).allSatisfy(r -> {
        assertThat(r.succeeded()).isTrue();
        assertThat(r.intendedStartNanos()).isEqualTo(r.sentNanos());
      });
      Summary s = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      assertThat(s.maxConcurrentRequests()).isEqualTo(3);
    }
  }
}
