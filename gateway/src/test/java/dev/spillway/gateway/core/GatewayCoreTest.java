package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The core on a virtual clock over emulated replicas of a small test accelerator. */
class GatewayCoreTest {

  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(
            Path.of(GatewayCoreTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  private final VirtualClock clock = new VirtualClock();

  private GatewayCore core(String yaml) {
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Profiles.class, profiles)), GatewayMetrics.NOOP);
  }

  /** One replica running at most two sequences: contention from the third request on. */
  private static final String SMALL =
      "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    routing: least-outstanding\n"
          + "    queueCapacity: {priority: 100, default: 100, flex: 100, batch: 100}\n"
          + "    pools:\n"
          + "      - kind: emulated\n"
          + "        accelerator: tiny.1\n"
          + "        replicas: 1\n";

  /** Records what the core reports for one request. */
  static final class Recorder implements GatewayListener {
    final List<Object> events = new ArrayList<>();
    long submittedAt;
    long firstTokenAt = -1;
    /** When it finished or failed, on the clock; -1 before. */
    long endedAt = -1;
    /** Whether the tokens it gets reach a client at once (a stream), see {@link #committed}. */
    boolean committed = true;
    final VirtualClock clock;

    Recorder(VirtualClock clock) {
      this.clock = clock;
      this.submittedAt = clock.nanoTime();
    }

    @Override
    public void onBound(Binding binding) {
      events.add(binding);
    }

    @Override
    public boolean committed() {
      return committed;
    }

    @Override
    public void onToken(TokenEvent.Token token) {
      if (firstTokenAt < 0) {
        firstTokenAt = clock.nanoTime();
      }
      events.add(token);
    }

    @Override
    public void onFinish(TokenEvent.Finish finish, Binding binding) {
      events.add(finish);
      endedAt = clock.nanoTime();
    }

    @Override
    public void onError(GatewayError error) {
      events.add(error);
      endedAt = clock.nanoTime();
    }

    long ttft() {
      return firstTokenAt - submittedAt;
    }

    GatewayError error() {
      return (GatewayError) events.get(events.size() - 1);
    }

    TokenEvent.Finish finish() {
      return (TokenEvent.Finish) events.get(events.size() - 1);
    }
  }

  private static GatewayRequest request(String id, ServiceTier tier, String tenant, int prompt, int output) {
    return new GatewayRequest(
        id, "llama-3.1-8b", prompt, output, "", id.hashCode(), SamplingParams.DEFAULT, tier, tenant,
        Optional.empty(), false);
  }

  private Recorder submit(GatewayCore core, GatewayRequest request) {
    Recorder r = new Recorder(clock);
    core.submit(request, r);
    return r;
  }

  @Test
  void servesARequestEndToEndAndReportsWhereItRan() {
    GatewayCore core = core(SMALL);
    Recorder r = submit(core, request("a", ServiceTier.DEFAULT, "t", 100, 20));
    clock.run();
    assertThat(r.events.get(0)).isInstanceOf(GatewayListener.Binding.class);
    GatewayListener.Binding binding = (GatewayListener.Binding) r.events.get(0);
    assertThat(binding.pool()).isEqualTo("llama-3.1-8b@tiny");
    assertThat(binding.replica()).isEqualTo("llama-3.1-8b@tiny/0");
    assertThat(r.events.stream().filter(e -> e instanceof TokenEvent.Token)).hasSize(20);
    assertThat(r.finish().usage().completionTokens()).isEqualTo(20);
    assertThat(r.finish().costUsd()).isPositive();
    assertThat(r.finish().priceUsd()).isPositive();
  }

  @Test
  void reportsHowFarThePredictionTheRequestWasBoundOnWasFromItsOutcome() {
    GatewayCore core = core(SMALL);
    Gateway.PredictionError before = core.pools().toCompletableFuture().join().get(0).predictionError();
    assertThat(before.samples()).isZero();
    assertThat(before.ttftMedianAbsError()).isNull();

    Recorder r = submit(core, request("a", ServiceTier.DEFAULT, "t", 100, 20));
    clock.run();
    GatewayListener.Binding binding = (GatewayListener.Binding) r.events.get(0);
    assertThat(binding.predicted().ttft()).isPositive();
    assertThat(binding.predicted().tpot()).isPositive();
    Gateway.PredictionError after = core.pools().toCompletableFuture().join().get(0).predictionError();
    assertThat(after.samples()).isEqualTo(1);
    assertThat(after.ttftSamples()).isEqualTo(1);
    assertThat(after.tpotSamples()).isEqualTo(1);
    // Alone on its replica, the request sees exactly the work the prediction priced.
    long ttft = r.firstTokenAt - r.submittedAt;
    double tpot = (double) (r.finish().atNanos() - r.firstTokenAt) / 19;
    assertThat(after.ttftMedianBias())
        .isCloseTo((binding.predicted().ttft().toNanos() - ttft) / (double) ttft, within(1e-9));
    assertThat(after.tpotMedianBias())
        .isCloseTo((binding.predicted().tpot().toNanos() - tpot) / tpot, within(1e-9));
    assertThat(after.ttftMedianAbsError()).isLessThan(0.05);
    assertThat(after.tpotMedianAbsError()).isLessThan(0.05);
  }

  @Test
  void underContentionPriorityTierSeesLowerTtftThanFlex() {
    GatewayCore core =
        core(SMALL.replace("accelerator: tiny.1", "accelerator: tiny.1\n        stack: test-continuous"));
    List<Recorder> priority = new ArrayList<>();
    List<Recorder> flex = new ArrayList<>();
    // interleaved arrivals at the same instant: far more than the replica can run at once
    for (int i = 0; i < 12; i++) {
      flex.add(submit(core, request("f" + i, ServiceTier.FLEX, "t", 200, 30)));
      priority.add(submit(core, request("p" + i, ServiceTier.PRIORITY, "t", 200, 30)));
    }
    assertThat(core.queued("llama-3.1-8b")).as("late binding holds requests in the gateway").isPositive();
    clock.run();
    double p = priority.stream().mapToLong(Recorder::ttft).average().orElseThrow();
    double f = flex.stream().mapToLong(Recorder::ttft).average().orElseThrow();
    assertThat(p).isLessThan(f / 2);
  }

  @Test
  void aFullTierQueueRejectsWithRetryAfter() {
    GatewayCore core =
        core(SMALL.replace("flex: 100", "flex: 2").replace("default: 100", "default: 0"));
    List<Recorder> accepted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      accepted.add(submit(core, request("f" + i, ServiceTier.FLEX, "t", 500, 50)));
    }
    long rejected =
        accepted.stream()
            .filter(r -> !r.events.isEmpty() && r.events.get(0) instanceof GatewayError)
            .count();
    assertThat(rejected).isPositive();
    Recorder last = accepted.get(accepted.size() - 1);
    GatewayError error = last.error();
    assertThat(error.kind()).isEqualTo(GatewayError.Kind.QUEUE_FULL);
    assertThat(error.kind().status()).isEqualTo(429);
    assertThat(error.retryAfter()).isPresent();
    assertThat(error.retryAfter().get().toSeconds()).isBetween(1L, 60L);
    Recorder zero = submit(core, request("d", ServiceTier.DEFAULT, "t", 10, 5));
    assertThat(zero.error().kind()).isEqualTo(GatewayError.Kind.QUEUE_FULL);
    clock.run();
  }

  @Test
  void tenantsTakeTurnsWithinATier() {
    GatewayCore core = core(SMALL);
    List<Recorder> a = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      a.add(submit(core, request("a" + i, ServiceTier.DEFAULT, "tenant-a", 300, 40)));
    }
    Recorder b = submit(core, request("b", ServiceTier.DEFAULT, "tenant-b", 300, 40));
    clock.run();
    // tenant-b arrived behind ten of tenant-a's requests but is served before most of them
    long servedBeforeB = a.stream().filter(r -> r.firstTokenAt < b.firstTokenAt).count();
    assertThat(servedBeforeB).isLessThanOrEqualTo(4);
  }

  @Test
  void unknownModelsAndOversizedRequestsAreRejectedAtOnce() {
    GatewayCore core = core(SMALL);
    Recorder unknown = new Recorder(clock);
    core.submit(
        new GatewayRequest(
            "x", "nope", 10, 10, "", 0, SamplingParams.DEFAULT, ServiceTier.DEFAULT, "t",
            Optional.empty(), false),
        unknown);
    assertThat(unknown.error().kind()).isEqualTo(GatewayError.Kind.MODEL_NOT_FOUND);
    // the tiny replica holds 1,568 tokens
    Recorder big = submit(core, request("big", ServiceTier.DEFAULT, "t", 1500, 500));
    assertThat(big.error().kind()).isEqualTo(GatewayError.Kind.CONTEXT_LENGTH_EXCEEDED);
    assertThat(big.error().param()).contains("max_tokens");
    assertThat(core.model("llama-3.1-8b").orElseThrow().contextTokens()).isEqualTo(1568);
  }

  @Test
  void requestsThatWaitTooLongFailWithServiceUnavailable() {
    GatewayCore core = core(SMALL.replace("routing: least-outstanding", "routing: least-outstanding\n    maxQueueWait: 100ms"));
    List<Recorder> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      all.add(submit(core, request("r" + i, ServiceTier.DEFAULT, "t", 500, 400)));
    }
    clock.run();
    long unavailable =
        all.stream()
            .filter(r -> r.events.get(r.events.size() - 1) instanceof GatewayError)
            .map(Recorder::error)
            .filter(e -> e.kind() == GatewayError.Kind.UNAVAILABLE && e.retryAfter().isPresent())
            .count();
    long finished =
        all.stream().filter(r -> r.events.get(r.events.size() - 1) instanceof TokenEvent.Finish).count();
    assertThat(unavailable).isPositive();
    assertThat(finished).isPositive();
    assertThat(unavailable + finished).isEqualTo(10);
  }

  @Test
  void staticPoolsWaitToFillACompiledBatch() {
    GatewayCore core =
        core(
            SMALL.replace(
                "accelerator: tiny.1",
                "accelerator: tiny.1\n        stack: test-static\n        maxBatchDelay: 50ms"));
    Recorder first = submit(core, request("s0", ServiceTier.DEFAULT, "t", 100, 10));
    clock.advance(10_000_000);
    List<Recorder> rest = new ArrayList<>();
    for (int i = 1; i < 4; i++) {
      rest.add(submit(core, request("s" + i, ServiceTier.DEFAULT, "t", 100, 10)));
    }
    clock.run();
    // the first waited for the other three: all four share one compiled batch and one first token
    for (Recorder r : rest) {
      assertThat(r.firstTokenAt).isEqualTo(first.firstTokenAt);
    }
    Recorder alone = submit(core, request("late", ServiceTier.DEFAULT, "t", 100, 10));
    long submitted = clock.nanoTime();
    clock.run();
    GatewayListener.Binding binding = (GatewayListener.Binding) alone.events.get(0);
    assertThat(binding.queuedNanos()).as("a lone request waits the batch delay").isEqualTo(50_000_000);
    assertThat(alone.firstTokenAt).isGreaterThan(submitted + 50_000_000);
  }

  @Test
  void cancellingAQueuedRequestRemovesIt() {
    GatewayCore core = core(SMALL);
    List<Recorder> all = new ArrayList<>();
    List<Admission> admissions = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Recorder r = new Recorder(clock);
      admissions.add(core.submit(request("c" + i, ServiceTier.DEFAULT, "t", 300, 30), r));
      all.add(r);
    }
    int queued = core.queued("llama-3.1-8b");
    assertThat(queued).isPositive();
    admissions.get(5).cancel();
    assertThat(core.queued("llama-3.1-8b")).isEqualTo(queued - 1);
    clock.run();
    assertThat(all.get(5).events).isEmpty();
    for (int i = 0; i < 5; i++) {
      assertThat(all.get(i).finish().usage().completionTokens()).isEqualTo(30);
    }
  }
}
