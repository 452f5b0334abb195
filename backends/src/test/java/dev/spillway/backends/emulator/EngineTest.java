package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.structured.TokenPieces;
import dev.spillway.backends.time.VirtualClock;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Engine invariants on a virtual clock, on a small test accelerator (test-profiles.yaml). */
class EngineTest {

  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(
            Path.of(EngineTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  private final VirtualClock clock = new VirtualClock();

  private Engine engine(String stack, int maxRunning) {
    StackProfile s = profiles.stack(stack);
    if (maxRunning > 0) {
      s = s.withMaxRunningSequences(maxRunning);
    }
    Deployment d =
        Deployment.of(
            profiles, profiles.accelerator("tiny.1"), profiles.model("llama-3.1-8b"), s, 1, null);
    return new Engine("tiny/0", d, clock, profiles.prices(), 0);
  }

  /** The continuous test engine with a host thread: per-request and per-token host costs. */
  private Engine hostEngine(double requestMs, double tokenUs) {
    Deployment d = engine("test-continuous", 0).deployment();
    double[] p = d.efficiency().toArray();
    p[12] = requestMs;
    p[14] = tokenUs;
    return new Engine("tiny/0", d.withEfficiency(Efficiency.fromArray(p)), clock, profiles.prices(), 0);
  }

  /** Records every event of one request and checks the KV invariant on each. */
  private static final class Recorder {
    final Engine engine;
    final List<TokenEvent> events = new ArrayList<>();

    Recorder(Engine engine) {
      this.engine = engine;
    }

    void accept(TokenEvent e) {
      assertThat(engine.load().kvBlocksUsed()).isBetween(0L, engine.load().kvBlocksTotal());
      assertThat(engine.queuedPrefillTokens()).isEqualTo(engine.queuedPrefillTokensCounted());
      assertThat(events).noneMatch(x -> !(x instanceof TokenEvent.Token));
      events.add(e);
    }

    List<TokenEvent.Token> tokens() {
      List<TokenEvent.Token> out = new ArrayList<>();
      for (TokenEvent e : events) {
        if (e instanceof TokenEvent.Token) {
          out.add((TokenEvent.Token) e);
        }
      }
      return out;
    }

    TokenEvent.Finish finish() {
      TokenEvent last = events.get(events.size() - 1);
      assertThat(last).isInstanceOf(TokenEvent.Finish.class);
      return (TokenEvent.Finish) last;
    }

    long firstTokenAt() {
      return tokens().get(0).atNanos();
    }
  }

  private static InferenceRequest request(String id, int prompt, int output, ServiceTier tier) {
    return new InferenceRequest(
        id, "llama-3.1-8b", prompt, output, "", 0,
        new SamplingParams(1.0, 1.0, OptionalLong.of(id.hashCode()), List.of()), tier, "t",
        InferenceRequest.NO_DEADLINE);
  }

  /** {@link #request}'s twin in the default tier, with one stop sequence. */
  private static InferenceRequest stopping(String id, int prompt, int output, String stop) {
    return new InferenceRequest(
        id, "llama-3.1-8b", prompt, output, "", 0,
        new SamplingParams(1.0, 1.0, OptionalLong.of(id.hashCode()), List.of(stop)), ServiceTier.DEFAULT,
        "t", InferenceRequest.NO_DEADLINE);
  }

  private Recorder submit(Engine engine, InferenceRequest request) {
    Recorder r = new Recorder(engine);
    engine.submit(request, r::accept);
    return r;
  }

  @Test
  void everyRequestGetsExactlyItsTokensInOrderThenOneFinish() {
    Engine engine = engine("test-continuous", 0);
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      recorders.add(submit(engine, request("r" + i, 40 + 30 * i, 25 + i, ServiceTier.DEFAULT)));
    }
    clock.run();
    long tokens = 0;
    for (int i = 0; i < 6; i++) {
      Recorder r = recorders.get(i);
      List<TokenEvent.Token> t = r.tokens();
      assertThat(t).hasSize(25 + i);
      for (int k = 0; k < t.size(); k++) {
        assertThat(t.get(k).index()).isEqualTo(k);
      }
      TokenEvent.Finish finish = r.finish();
      assertThat(finish.reason()).isEqualTo(FinishReason.LENGTH);
      assertThat(finish.usage().promptTokens()).isEqualTo(40 + 30 * i);
      assertThat(finish.usage().completionTokens()).isEqualTo(25 + i);
      tokens += t.size();
    }
    assertThat(engine.stats().tokensOut()).isEqualTo(tokens);
    assertThat(engine.load().kvBlocksUsed()).isZero();
    assertThat(engine.load().outstandingTokens()).isZero();
    assertThat(engine.load().inFlight()).isZero();
  }

  @Test
  void preemptsTheNewestWhenKvRunsOutAndStillFinishesEveryRequest() {
    Engine engine = engine("test-continuous", 0);
    // 98 blocks hold 1,568 tokens; eight requests growing to 300 tokens need up to 152 blocks
    assertThat(engine.capacity().kvBlocksTotal()).isEqualTo(98);
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      recorders.add(submit(engine, request("p" + i, 100, 200, ServiceTier.DEFAULT)));
    }
    clock.run();
    assertThat(engine.stats().preemptions()).isPositive();
    assertThat(engine.queuedPrefillTokens()).isZero();
    for (Recorder r : recorders) {
      assertThat(r.tokens()).hasSize(200);
      assertThat(r.finish().usage().completionTokens()).isEqualTo(200);
    }
    // the oldest request is never the victim: it finishes first
    long first = recorders.get(0).finish().atNanos();
    for (Recorder r : recorders.subList(1, 8)) {
      assertThat(r.finish().atNanos()).isGreaterThanOrEqualTo(first);
    }
    assertThat(engine.load().kvBlocksUsed()).isZero();
  }

  @Test
  void servesFifoWithinATierAndHigherTiersFirst() {
    Engine engine = engine("test-continuous", 1);
    Recorder a = submit(engine, request("a", 50, 10, ServiceTier.DEFAULT));
    Recorder b = submit(engine, request("b", 50, 10, ServiceTier.FLEX));
    Recorder c = submit(engine, request("c", 50, 10, ServiceTier.DEFAULT));
    Recorder d = submit(engine, request("d", 50, 10, ServiceTier.PRIORITY));
    clock.run();
    // a, b, c, d arrive at once; one runs at a time: priority d, then default a and c in order, then flex b
    assertThat(d.firstTokenAt()).isLessThan(a.firstTokenAt());
    assertThat(a.firstTokenAt()).isLessThan(c.firstTokenAt());
    assertThat(c.firstTokenAt()).isLessThan(b.firstTokenAt());
  }

  @Test
  void chunkedPrefillNeverExceedsTheTokenBudget() {
    Engine engine = engine("test-continuous", 0);
    // a 1000-token prompt over a 256-token budget takes four steps before its first token
    Recorder r = submit(engine, request("long", 1000, 2, ServiceTier.DEFAULT));
    clock.run();
    assertThat(r.tokens()).hasSize(2);
    assertThat(engine.stats().steps()).isEqualTo(4 + 1);
  }

  @Test
  void staticBatchesPadToTheCompiledBatchAndStartOnlyWhenTheLastEnds() {
    Engine engine = engine("test-static", 0);
    assertThat(engine.capacity().staticBatchSize()).isEqualTo(4);
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      recorders.add(submit(engine, request("s" + i, 100 + i, 20, ServiceTier.DEFAULT)));
    }
    clock.run();
    long batch1 = recorders.get(0).firstTokenAt();
    for (int i = 1; i < 4; i++) {
      assertThat(recorders.get(i).firstTokenAt()).isEqualTo(batch1);
    }
    long lastOfBatch1 = recorders.get(3).finish().atNanos();
    assertThat(recorders.get(4).firstTokenAt()).isGreaterThan(lastOfBatch1);
    assertThat(recorders.get(5).firstTokenAt()).isEqualTo(recorders.get(4).firstTokenAt());
    // the second batch has two requests but costs a full compiled batch of four per step
    long batch1Time = lastOfBatch1 - 0;
    long batch2Time = recorders.get(5).finish().atNanos() - lastOfBatch1;
    assertThat((double) batch2Time).isCloseTo(batch1Time, within(batch1Time * 0.01));
  }

  @Test
  void costOfAllRequestsAddsUpToTheReplicaTimeAndPriceFollowsTheTier() {
    Engine engine = engine("test-continuous", 0);
    Recorder def = submit(engine, request("x", 200, 50, ServiceTier.DEFAULT));
    Recorder pri = submit(engine, request("y", 200, 50, ServiceTier.PRIORITY));
    clock.run();
    double total = def.finish().costUsd() + pri.finish().costUsd();
    // $3.60 per hour is $0.001 per second of busy time
    assertThat(total).isCloseTo(engine.stats().busyNanos() / 1e9 * 0.001, within(1e-12));
    assertThat(engine.stats().costUsd()).isCloseTo(total, within(1e-12));
    // llama-3.1-8b lists $0.22 per million tokens in and out; priority is 1.75x
    double listPrice = (200 + 50) * 0.22 / 1e6;
    assertThat(def.finish().priceUsd()).isCloseTo(listPrice, within(1e-15));
    assertThat(pri.finish().priceUsd()).isCloseTo(listPrice * 1.75, within(1e-15));
  }

  @Test
  void stopSequenceEndsGenerationEarly() {
    Engine engine = engine("test-continuous", 0);
    Recorder free = submit(engine, request("s", 10, 200, ServiceTier.DEFAULT));
    clock.run();
    StringBuilder text = new StringBuilder();
    free.tokens().forEach(t -> text.append(t.text()));
    String stop = free.tokens().get(20).text();
    Recorder r = submit(engine, stopping("s", 10, 200, stop));
    clock.run();
    assertThat(r.finish().reason()).isEqualTo(FinishReason.STOP);
    assertThat(r.tokens().size()).isLessThanOrEqualTo(20);
    assertThat(r.finish().usage().completionTokens()).isEqualTo(r.tokens().size());
    StringBuilder prefix = new StringBuilder();
    r.tokens().forEach(t -> prefix.append(t.text()));
    assertThat(text.toString()).startsWith(prefix.toString());
    assertThat(prefix.toString()).doesNotContain(stop);
  }

  @Test
  void skippedTextSendsEmptyTokensAtTheSameTimesAndStillHonoursStopSequences() {
    Engine written = engine("test-continuous", 0);
    VirtualClock other = new VirtualClock();
    Engine skipped =
        new Engine("tiny/1", written.deployment(), other, profiles.prices(), 0,
            OutputPlan.DEFAULT_TOOL_CALL_RATE, TokenText.SKIPPED);
    Recorder w = submit(written, request("t", 100, 40, ServiceTier.DEFAULT));
    Recorder k = submit(skipped, request("t", 100, 40, ServiceTier.DEFAULT));
    clock.run();
    other.run();
    assertThat(k.tokens()).hasSize(40).allMatch(t -> t.text().isEmpty());
    assertThat(w.tokens()).hasSize(40).anyMatch(t -> !t.text().isEmpty());
    assertThat(k.tokens()).extracting(TokenEvent.Token::atNanos)
        .containsExactlyElementsOf(w.tokens().stream().map(TokenEvent.Token::atNanos).toList());
    assertThat(k.finish()).isEqualTo(w.finish());

    // A stop sequence needs the text: it is written, and ends the answer where it would have.
    String stop = w.tokens().get(20).text();
    InferenceRequest stopped = stopping("t", 100, 40, stop);
    Recorder ws = submit(written, stopped);
    Recorder ks = submit(skipped, stopped);
    clock.run();
    other.run();
    assertThat(ks.finish().reason()).isEqualTo(FinishReason.STOP);
    assertThat(ks.tokens()).extracting(TokenEvent.Token::text)
        .containsExactlyElementsOf(ws.tokens().stream().map(TokenEvent.Token::text).toList());
  }

  @Test
  void cancellingFreesTheSlotAndReportsOnlyWhatWasGenerated() {
    Engine engine = engine("test-continuous", 0);
    Recorder r = new Recorder(engine);
    Submission[] submission = new Submission[1];
    submission[0] =
        engine.submit(
            request("c", 100, 500, ServiceTier.DEFAULT),
            e -> {
              r.accept(e);
              if (e instanceof TokenEvent.Token && ((TokenEvent.Token) e).index() == 9) {
                submission[0].cancel();
              }
            });
    clock.run();
    assertThat(r.tokens()).hasSize(10);
    assertThat(r.finish().reason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(r.finish().usage().completionTokens()).isEqualTo(10);
    assertThat(engine.load().kvBlocksUsed()).isZero();
    assertThat(engine.load().outstandingTokens()).isZero();
  }

  @Test
  void requestsLargerThanTheReplicaFailAsInvalid() {
    Engine engine = engine("test-continuous", 0);
    Recorder r = submit(engine, request("big", 1500, 500, ServiceTier.DEFAULT));
    clock.run();
    assertThat(r.events).hasSize(1);
    TokenEvent.Failure failure = (TokenEvent.Failure) r.events.get(0);
    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST);
    assertThat(failure.beforeFirstToken()).isTrue();
  }

  @Test
  void predictionGrowsWithQueuedWork() {
    Engine engine = engine("test-continuous", 0);
    InferenceRequest probe = request("probe", 200, 50, ServiceTier.DEFAULT);
    var idle = engine.predict(probe);
    assertThat(idle.ttft().toNanos())
        .isCloseTo(Math.round(engine.latency().prefillSeconds(200) * 1e9), within(1L));
    assertThat(idle.tpot().toNanos())
        .isCloseTo(
            Math.round(engine.latency().decodeSeconds(1, 225) * 1e9), within(1L));
    for (int i = 0; i < 6; i++) {
      engine.submit(request("q" + i, 500, 100, ServiceTier.DEFAULT), e -> {});
    }
    var busy = engine.predict(probe);
    assertThat(busy.ttft()).isGreaterThan(idle.ttft());
    assertThat(busy.tpot()).isGreaterThanOrEqualTo(idle.tpot());
    // a priority request does not wait behind default-tier prefill
    var priority = engine.predict(probe.withTier(ServiceTier.PRIORITY));
    assertThat(priority.ttft()).isLessThan(busy.ttft());
  }

  @Test
  void theStepInFlightsPrefillIsNotQueuedAheadOfANewRequest() {
    Engine engine = engine("test-continuous", 0);
    engine.submit(request("first", 200, 20, ServiceTier.DEFAULT), e -> {});
    clock.runUntil(1); // the first step, prefilling all 200 prompt tokens (budget 256), is in flight

    assertThat(engine.stepInFlightEndsAt(clock.nanoTime())).isGreaterThan(clock.nanoTime());
    assertThat(engine.queuedPrefillTokens()).isEqualTo(200);
    // a request submitted now waits for that step, by which time its prefill is done
    assertThat(engine.queuedPrefillThrough(ServiceTier.DEFAULT.ordinal())).isZero();

    engine.submit(request("second", 100, 20, ServiceTier.DEFAULT), e -> {});
    assertThat(engine.queuedPrefillThrough(ServiceTier.DEFAULT.ordinal())).isEqualTo(100);
    clock.run();
    assertThat(engine.queuedPrefillThrough(ServiceTier.DEFAULT.ordinal())).isZero();
  }

  @Test
  void aBurstOfArrivalsRaisesThePredictedArrivalRateWithinASecond() {
    Predictor predictor = new Predictor(engine("test-continuous", 0));
    long second = 1_000_000_000L;
    // a minute at two requests a second: the rate is the long count's, not the noisy short one's
    for (long t = 0; t < 60 * second; t += second / 2) {
      predictor.arrived(t, 100, 10);
    }
    assertThat(predictor.arrivalRate(60 * second)).isCloseTo(2.0, within(0.2));
    // then twenty a second: within a second the prediction sees most of it, long before the
    // ten-second count would
    long start = 60 * second;
    for (long t = start; t < start + second; t += second / 20) {
      predictor.arrived(t, 100, 10);
    }
    assertThat(predictor.arrivalRate(start + second)).isGreaterThan(10);
  }

  @Test
  void capacityForLateBindingCountsRequestsWaitingForTheNextStep() {
    Engine engine = engine("test-continuous", 3);
    InferenceRequest small = request("c", 50, 10, ServiceTier.DEFAULT);
    assertThat(engine.hasCapacityFor(small)).isTrue();
    engine.submit(request("w1", 50, 10, ServiceTier.DEFAULT), e -> {});
    engine.submit(request("w2", 50, 10, ServiceTier.DEFAULT), e -> {});
    assertThat(engine.hasCapacityFor(small)).as("one slot of three left").isTrue();
    engine.submit(request("w3", 50, 10, ServiceTier.DEFAULT), e -> {});
    assertThat(engine.hasCapacityFor(small)).as("three running or waiting").isFalse();
    clock.run();
    assertThat(engine.hasCapacityFor(small)).isTrue();
    // a prompt that fills the step budget leaves no room for another first chunk
    engine.submit(request("big", 300, 10, ServiceTier.DEFAULT), e -> {});
    assertThat(engine.hasCapacityFor(small)).isFalse();
  }

  @Test
  void staticEngineTakesRequestsOnlyWhileItsNextBatchIsForming() {
    Engine engine = engine("test-static", 0);
    InferenceRequest r = request("s", 100, 10, ServiceTier.DEFAULT);
    for (int i = 0; i < 4; i++) {
      assertThat(engine.hasCapacityFor(r)).isTrue();
      engine.submit(request("b" + i, 100, 10, ServiceTier.DEFAULT), e -> {});
    }
    assertThat(engine.hasCapacityFor(r)).as("the compiled batch of four is full").isFalse();
    clock.advance(1);
    assertThat(engine.hasCapacityFor(r)).as("a batch is running").isFalse();
    clock.run();
    assertThat(engine.hasCapacityFor(r)).isTrue();
  }

  @Test
  void aStaticEngineRejectsAPromptWhosePaddedBucketCannotFit() {
    Engine engine = engine("test-static", 0);
    // the replica holds 1,568 tokens: 600 + 1,000 is too many however it is padded
    Recorder tooBig = submit(engine, request("big", 600, 1000, ServiceTier.DEFAULT));
    clock.run();
    assertThat(tooBig.events.get(0)).isInstanceOf(TokenEvent.Failure.class);
    // 300 pads to 512; with 1,050 output tokens that is 1,562 held: it fits and is served
    Recorder fits = submit(engine, request("fits", 300, 1050, ServiceTier.DEFAULT));
    clock.run();
    assertThat(fits.finish().usage().completionTokens()).isEqualTo(1050);
    // 300 pads to 512; with 1,060 output tokens that is 1,572 held: rejected, not stuck forever
    Recorder padded = submit(engine, request("padded", 300, 1060, ServiceTier.DEFAULT));
    clock.run();
    assertThat(padded.events).hasSize(1);
    assertThat(padded.events.get(0)).isInstanceOf(TokenEvent.Failure.class);
  }

  @Test
  void theHostDelaysAFirstTokenByTheRequestsWorkAndEveryTokenByItsOwn() {
    Recorder plain = submit(engine("test-continuous", 0), request("h", 100, 20, ServiceTier.DEFAULT));
    clock.run();
    long base = clock.nanoTime();
    Engine engine = hostEngine(2.0, 500);
    Recorder hosted = submit(engine, request("h", 100, 20, ServiceTier.DEFAULT));
    clock.run();
    List<TokenEvent.Token> a = plain.tokens();
    List<TokenEvent.Token> b = hosted.tokens();
    assertThat(b).hasSize(20);
    // the engine starts 2 ms later and each token then waits 0.5 ms on the idle host
    for (int k = 0; k < 20; k++) {
      assertThat(b.get(k).atNanos() - base - a.get(k).atNanos()).isEqualTo(2_000_000 + 500_000);
      assertThat(b.get(k).text()).isEqualTo(a.get(k).text());
    }
    assertThat(hosted.finish().atNanos()).isEqualTo(b.get(19).atNanos());
    assertThat(engine.load().kvBlocksUsed()).isZero();
  }

  @Test
  void aSaturatedHostServesTokensOneAtATimeAndCapsTheOutputRate() {
    // eight sequences decode in ~15 ms steps: 0.53 tokens/ms from the accelerator, 0.25 from the host
    Engine engine = hostEngine(0, 4000);
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      recorders.add(submit(engine, request("s" + i, 60, 50, ServiceTier.DEFAULT)));
    }
    clock.run();
    List<Long> times = new ArrayList<>();
    for (Recorder r : recorders) {
      assertThat(r.tokens()).hasSize(50);
      assertThat(r.finish().reason()).isEqualTo(FinishReason.LENGTH);
      r.tokens().forEach(t -> times.add(t.atNanos()));
    }
    times.sort(null);
    for (int k = 1; k < times.size(); k++) {
      assertThat(times.get(k) - times.get(k - 1)).isGreaterThanOrEqualTo(4_000_000);
    }
    // 400 tokens at 4 ms each on the host: the last arrives no sooner than 1.6 s in
    assertThat(times.get(times.size() - 1)).isGreaterThanOrEqualTo(1_600_000_000L);
    assertThat(engine.stats().tokensOut()).isEqualTo(400);
  }

  @Test
  void cancellingDropsWhatTheHostStillHolds() {
    Engine engine = hostEngine(0, 4000);
    for (int i = 0; i < 7; i++) {
      submit(engine, request("busy" + i, 60, 50, ServiceTier.DEFAULT));
    }
    Recorder r = new Recorder(engine);
    Submission[] submission = new Submission[1];
    submission[0] =
        engine.submit(
            request("c", 60, 50, ServiceTier.DEFAULT),
            e -> {
              r.accept(e);
              if (e instanceof TokenEvent.Token && ((TokenEvent.Token) e).index() == 4) {
                submission[0].cancel();
              }
            });
    clock.run();
    // Recorder fails on any event after the finish; the engine had generated more than it delivered
    assertThat(r.tokens()).hasSize(5);
    assertThat(r.finish().reason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(r.finish().usage().completionTokens()).isGreaterThan(5);
    assertThat(engine.load().kvBlocksUsed()).isZero();
  }

  @Test
  void cancellingAfterTheEngineFinishedButBeforeTheHostDeliveredStillEndsTheStreamAtOnce() {
    Engine engine = hostEngine(0, 4000);
    for (int i = 0; i < 8; i++) {
      submit(engine, request("busy" + i, 60, 50, ServiceTier.DEFAULT));
    }
    Recorder r = new Recorder(engine);
    Submission[] submission = new Submission[1];
    long[] cancelledAt = new long[1];
    submission[0] =
        engine.submit(
            request("short", 60, 5, ServiceTier.DEFAULT),
            e -> {
              r.accept(e);
              if (e instanceof TokenEvent.Token && ((TokenEvent.Token) e).index() == 3) {
                cancelledAt[0] = clock.nanoTime();
                submission[0].cancel();
              }
            });
    clock.run();
    // the engine generated all five tokens long before the host wrote the fourth
    assertThat(r.tokens()).hasSize(4);
    assertThat(r.finish().reason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(r.finish().usage().completionTokens()).isEqualTo(5);
    assertThat(r.finish().costUsd()).isPositive();
    assertThat(r.finish().atNanos()).isEqualTo(cancelledAt[0]);
  }

  @Test
  void predictionIncludesTheHostsBacklog() {
    Engine engine = hostEngine(2.0, 4000);
    InferenceRequest probe = request("probe", 60, 10, ServiceTier.DEFAULT);
    var idle = engine.predict(probe);
    assertThat(idle.ttft().toNanos())
        .isGreaterThanOrEqualTo(engine("test-continuous", 0).predict(probe).ttft().toNanos() + 6_000_000);
    for (int i = 0; i < 8; i++) {
      submit(engine, request("q" + i, 60, 50, ServiceTier.DEFAULT));
    }
    clock.advance(200_000_000);
    // by now the host holds a backlog of tokens; a new request's parse waits behind it
    assertThat(engine.predict(probe).ttft()).isGreaterThan(idle.ttft().plusMillis(20));
  }

  @Test
  void toolCallsArePacedAsTokensCountedExactlyAndFinishWithToolCalls() {
    Engine engine = engine("test-continuous", 0);
    OutputSpec spec =
        new OutputSpec(
            OutputSpec.Format.TEXT, "",
            List.of(new OutputSpec.Tool("lookup",
                "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},"
                    + "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":9}},"
                    + "\"required\":[\"query\",\"limit\"]}")),
            OutputSpec.ToolChoice.REQUIRED, false, false, "");
    Recorder r = submit(engine, request("tools", 40, 500, ServiceTier.DEFAULT).withOutput(spec));
    clock.run();

    List<TokenEvent.Token> tokens = r.tokens();
    StringBuilder arguments = new StringBuilder();
    for (int i = 0; i < tokens.size(); i++) {
      assertThat(tokens.get(i).index()).isEqualTo(i);
      assertThat(tokens.get(i).call()).isNotNull().isSameAs(tokens.get(0).call());
      arguments.append(tokens.get(i).text());
      if (i > 0) {
        assertThat(tokens.get(i).atNanos()).isGreaterThan(tokens.get(i - 1).atNanos());
      }
    }
    TokenEvent.Finish finish = r.finish();
    assertThat(finish.reason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(finish.usage().completionTokens()).isEqualTo(tokens.size());
    assertThat(TokenPieces.count(arguments.toString())).isEqualTo(tokens.size());
    assertThat(arguments.toString()).startsWith("{\"query\":").contains("\"limit\":");
  }

  @Test
  void aJsonAnswerLongerThanTheBudgetIsCutThere() {
    Engine engine = engine("test-continuous", 0);
    OutputSpec json =
        new OutputSpec(OutputSpec.Format.JSON_OBJECT, "", List.of(), OutputSpec.ToolChoice.NONE, true, false, "");
    Recorder r = submit(engine, request("json", 40, 3, ServiceTier.DEFAULT).withOutput(json));
    clock.run();

    assertThat(r.tokens()).hasSize(3);
    assertThat(r.finish().reason()).isEqualTo(FinishReason.LENGTH);
  }
}
