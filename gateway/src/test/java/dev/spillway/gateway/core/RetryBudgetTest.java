package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.RetryConfig;
import dev.spillway.gateway.core.ScriptedBackendProvider.Script;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Retries before the first token, bounded by each pool's retry budget, on a virtual clock. */
class RetryBudgetTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  private final VirtualClock clock = new VirtualClock();
  private final Script script = new Script();
  private int retried;
  private int exhausted;

  /** Two replicas; three attempts per request; retries at most 20% of requests plus 1/s over 10 s. */
  private GatewayCore core() {
    String yaml =
        "models:\n"
            + "  - name: m\n"
            + "    routing: round-robin\n"
            + "    pools:\n"
            + "      - kind: scripted\n"
            + "        replicas: 2\n"
            + "        resilience:\n"
            // A breaker that never decides, so that every request reaches a replica.
            + "          circuitBreaker: {minimumNumberOfCalls: 100000, slidingWindowSize: 100000}\n"
            + "          retry:\n"
            + "            maxAttempts: 3\n"
            + "            initialBackoff: 10ms\n"
            + "            maxBackoff: 40ms\n"
            + "            budgetPercent: 20\n"
            + "            minRetriesPerSecond: 1\n"
            + "            budgetWindow: 10s\n";
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    GatewayMetrics metrics =
        new SilentMetrics() {
          @Override
          public void retried(String pool) {
            retried++;
          }

          @Override
          public void retryBudgetExhausted(String pool) {
            exhausted++;
          }

        };
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Script.class, script)), metrics);
  }

  private static GatewayRequest request(int i) {
    return new GatewayRequest(
        "r" + i, "m", 10, 1, "", i, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
        Optional.empty(), false);
  }

  @Test
  void underATotalOutageRetriesAddAtMostTheBudget() {
    GatewayCore core = core();
    script.down("m@scripted/0");
    script.down("m@scripted/1");
    List<GatewayCoreTest.Recorder> clients = new ArrayList<>();
    // 100 requests over 5 s: they and their retries all fall within one budget window.
    for (int i = 0; i < 100; i++) {
      GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
      core.submit(request(i), r);
      clients.add(r);
      clock.runUntil(clock.nanoTime() + 50 * MS);
    }
    clock.run();

    int attempts = script.submitted("m@scripted/0") + script.submitted("m@scripted/1");
    // 20% of 100 requests, plus 1 a second over the 10 s window; 200 retries without a budget.
    assertThat(attempts - 100).isEqualTo(retried).isLessThanOrEqualTo(30).isGreaterThan(0);
    assertThat(exhausted).isGreaterThan(0);
    assertThat(clients)
        .allSatisfy(r -> assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(GatewayError.class));
  }

  @Test
  void aRequestThatFailsOnOneReplicaIsServedByTheNextAfterABackoff() {
    GatewayCore core = core();
    script.down("m@scripted/0");
    GatewayCoreTest.Recorder r = new GatewayCoreTest.Recorder(clock);
    core.submit(request(0), r);
    clock.run();

    assertThat(r.events.get(r.events.size() - 1)).isInstanceOf(TokenEvent.Finish.class);
    assertThat(script.submitted("m@scripted/0")).isEqualTo(1);
    assertThat(script.submitted("m@scripted/1")).isEqualTo(1);
    assertThat(retried).isEqualTo(1);
    // The failure at 100 ms, a backoff of 5 to 10 ms, then 100 ms on the healthy replica.
    assertThat(r.firstTokenAt - r.submittedAt).isBetween(205 * MS, 210 * MS);
  }

  @Test
  void backoffDoublesUpToItsMaximumWithJitterInItsUpperHalf() {
    RetryBudget budget =
        new RetryBudget(
            new RetryConfig(10, Duration.ofMillis(10), Duration.ofMillis(40), 20, 1, Duration.ofSeconds(10)));
    SplittableRandom random = new SplittableRandom(1);
    for (int k = 0; k < 100; k++) {
      assertThat(budget.backoffNanos(1, random)).isBetween(5 * MS, 10 * MS);
      assertThat(budget.backoffNanos(2, random)).isBetween(10 * MS, 20 * MS);
      assertThat(budget.backoffNanos(3, random)).isBetween(20 * MS, 40 * MS);
      assertThat(budget.backoffNanos(9, random)).isBetween(20 * MS, 40 * MS);
    }
  }

  @Test
  void theBudgetRefillsAsOldRequestsLeaveTheWindow() {
    RetryBudget budget =
        new RetryBudget(
            new RetryConfig(3, Duration.ofMillis(10), Duration.ofMillis(40), 50, 0, Duration.ofSeconds(10)));
    for (int i = 0; i < 4; i++) {
      budget.deposit(0);
    }
    assertThat(budget.withdraw(1, 0)).isEqualTo(RetryBudget.Decision.RETRY);
    assertThat(budget.withdraw(1, 0)).isEqualTo(RetryBudget.Decision.RETRY);
    assertThat(budget.withdraw(1, 0)).isEqualTo(RetryBudget.Decision.BUDGET_SPENT);
    assertThat(budget.withdraw(3, 0)).isEqualTo(RetryBudget.Decision.ATTEMPTS_SPENT);

    // Ten seconds later the requests and the retries have both left the window.
    budget.deposit(10 * SECOND);
    budget.deposit(10 * SECOND);
    assertThat(budget.withdraw(1, 10 * SECOND)).isEqualTo(RetryBudget.Decision.RETRY);
    assertThat(budget.withdraw(1, 10 * SECOND)).isEqualTo(RetryBudget.Decision.BUDGET_SPENT);
  }
}
