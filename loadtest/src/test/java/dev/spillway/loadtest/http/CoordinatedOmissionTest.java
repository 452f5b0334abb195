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
 * A server that stalls for a second in the middle of an open-loop run: every request scheduled during
 * the stall must carry the stall in its latency (measured from its intended start), and the driver
 * must keep sending on schedule rather than waiting for the stalled requests.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CoordinatedOmissionTest {

  private static final long STALL_AT_MS = 500;
  private static final long STALL_MS = 1000;

  @Test
  void requestsScheduledDuringAStallIncludeItAndTheScheduleDoesNotPause() throws Exception {
    ScriptedServer.Script script = ScriptedServer.Script.tokens(5, 2, 3).withStall(STALL_AT_MS, STALL_MS);
    try (ScriptedServer server = new ScriptedServer(script)) {
      WorkloadOptions options = WorkloadOptions.builder(new Arrival.Constant(40), "m")
          .requests(0)
          .duration(Duration.ofMillis(2000))
          .inputLength(new LengthSpec.Fixed(16))
          .outputLength(new LengthSpec.Fixed(3))
          .build();

      RunResult result = Runs.run(options, Runs.against(server));

      assertThat(result.records()).hasSize(80).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
      long stallEnd = (STALL_AT_MS + STALL_MS) * 1_000_000;
      int duringStall = 0;
      for (RequestRecord r : result.records()) {
        // the driver never paused: every request went out close to its intended time (a driver that
        // waited for the stalled requests would be up to a second late)
        assertThat(r.sentNanos() - r.intendedStartNanos()).as("lag of %d", r.index()).isLessThan(50_000_000L);
        long intended = r.intendedStartNanos();
        if (intended >= (STALL_AT_MS + 50) * 1_000_000 && intended <= (STALL_AT_MS + STALL_MS - 50) * 1_000_000) {
          duringStall++;
          // the server's clock starts at the first request's arrival, no earlier than the driver's
          assertThat(r.e2eNanos()).as("e2e of %d", r.index()).isGreaterThanOrEqualTo(stallEnd - intended - 2_000_000);
        }
      }
      assertThat(duringStall).isGreaterThanOrEqualTo(35);
      Summary s = Summary.of(result.records(), SloGoals.NONE, Summary.measuredDurationNanos(result.records()));
      assertThat(s.e2el().p99Ms()).isGreaterThan(900);
      assertThat(s.e2el().medianMs()).isGreaterThan(20); // a third of all requests waited for the stall
      assertThat(s.scheduleLag().maxMs()).isLessThan(50);
      assertThat(server.received()).isEqualTo(80);
    }
  }
}
