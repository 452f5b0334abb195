package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.ScriptedBackendProvider.Script;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Demand beyond supply, on a virtual clock: one replica that serves one request at a time, each in
 * 100 ms (10 a second), and a queue deadline of 2 s.
 */
class OverloadTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private final VirtualClock clock = new VirtualClock();
  private final Script script = new Script();
  private final GatewayCore core =
      new GatewayCore(
          new ConfigLoader(name -> null)
              .parse(
                  "models:\n"
                      + "  - name: m\n"
                      + "    maxQueueWait: 2s\n"
                      + "    pools:\n"
                      + "      - kind: scripted\n"
                      + "        replicas: 1\n"
                      + "        resilience: {bulkhead: {maxConcurrent: 1}}\n",
                  "test"),
          clock, new BackendContext(clock, Map.of(Script.class, script)), new SilentMetrics());

  private final List<GatewayCoreTest.Recorder> sent = new ArrayList<>();

  private List<GatewayCoreTest.Recorder> send(int n, ServiceTier tier) {
    List<GatewayCoreTest.Recorder> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
      core.submit(
          new GatewayRequest(
              tier.wireName() + sent.size(), "m", 10, 1, "", 1, SamplingParams.DEFAULT, tier, "t",
              Optional.empty(), false),
          r);
      out.add(r);
      sent.add(r);
    }
    return out;
  }

  private static boolean served(GatewayCoreTest.Recorder r) {
    return !r.events.isEmpty() && r.events.get(r.events.size() - 1) instanceof TokenEvent.Finish;
  }

  private static boolean shed(GatewayCoreTest.Recorder r) {
    return !r.events.isEmpty()
        && r.events.get(r.events.size() - 1) instanceof GatewayError e
        && e.kind() == GatewayError.Kind.UNAVAILABLE
        && e.message().contains("overloaded");
  }

  /** Reached its deadline in the queue: the estimate let it wait, and it just missed. */
  private static boolean expired(GatewayCoreTest.Recorder r) {
    return !r.events.isEmpty()
        && r.events.get(r.events.size() - 1) instanceof GatewayError e
        && e.kind() == GatewayError.Kind.UNAVAILABLE
        && e.message().contains("could take the request within");
  }

  @Test
  void queuedRequestsThatCannotMeetTheirDeadlineAreDroppedBeforeIt() {
    List<GatewayCoreTest.Recorder> burst = send(40, ServiceTier.DEFAULT);
    clock.runUntil(10 * SECOND);

    long served = burst.stream().filter(OverloadTest::served).count();
    List<GatewayCoreTest.Recorder> dropped = burst.stream().filter(OverloadTest::shed).toList();
    long expired = burst.stream().filter(OverloadTest::expired).count();
    assertThat(served + dropped.size() + expired).as("every request answered").isEqualTo(40);
    assertThat(expired).as("left to reach the deadline").isLessThanOrEqualTo(2);
    // 2 s at 10 a second: about 20 make it; the rest learn early that they would not.
    assertThat(served).isBetween(18L, 22L);
    assertThat(dropped).allSatisfy(r -> assertThat(r.endedAt).isLessThan(2 * SECOND));
    assertThat(dropped).allSatisfy(r -> assertThat(r.error().retryAfter()).isPresent());
  }

  @Test
  void underOverloadFlexIsRefusedAtOnceAndPriorityStillGoesFirst() {
    send(15, ServiceTier.DEFAULT);
    clock.runUntil(1 * SECOND); // the queue's pace is known by now, and 5 or so still wait

    List<GatewayCoreTest.Recorder> flex = send(30, ServiceTier.FLEX);
    List<GatewayCoreTest.Recorder> priority = send(5, ServiceTier.PRIORITY);
    clock.runUntil(clock.nanoTime());
    long refusedAtOnce = flex.stream().filter(r -> shed(r) && r.endedAt == 1 * SECOND).count();
    clock.runUntil(10 * SECOND);

    assertThat(refusedAtOnce).as("flex refused at admission").isGreaterThanOrEqualTo(10);
    assertThat(priority).allSatisfy(r -> assertThat(served(r)).isTrue());
    // Behind at most the request already running: five in about 600 ms.
    assertThat(priority).allSatisfy(r -> assertThat(r.endedAt).isLessThanOrEqualTo(1 * SECOND + 700 * MS));
    assertThat(sent).allSatisfy(r -> assertThat(served(r) || shed(r) || expired(r)).isTrue());
    assertThat(sent.stream().filter(OverloadTest::expired).count()).isLessThanOrEqualTo(2);
  }
}
