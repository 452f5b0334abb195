package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The emulated serving engine of one replica: an iteration-level scheduler over a latency model.
 *
 * <p>Implementation notes. Every sequence has {@code tokens} (prompt plus generated) and
 * {@code computed}; a step computes part of the difference for the sequences it schedules and, for each
 * that catches up, samples one token. There is no separate prefill or decode phase.
 *
 * <ul>
 *   <li>Continuous batching: running sequences first, in admission order, each takes what it needs (one
 *       token when decoding, a prefill chunk otherwise) from the step's token budget. When a sequence
 *       needs a KV block and none is free, the newest running sequence is preempted: its blocks are
 *       freed, its computed tokens forgotten, and it returns to the head of its tier's queue to be
 *       recomputed. Waiting sequences are admitted, highest tier first and FIFO within a tier, while the
 *       budget, the sequence limit and free blocks allow, and never in a step that preempted.
 *   <li>Static batching (Neuron compiled graphs): a batch of up to the compiled batch size starts only
 *       when the previous one has finished; its prompts are padded to the compiled bucket and every
 *       step runs the full compiled batch, empty slots included.
 * </ul>
 *
 * <p>Host. Where the stack's profile gives host costs, the serving process's one host thread is
 * modelled as a FIFO server in front of the accelerator ({@link HostThread}): a request reaches the
 * scheduler only after the host has parsed and tokenised it, and each generated token reaches the
 * client only after the host has detokenised and written it. The accelerator does not wait for the
 * host; a busy host delays first tokens and, once saturated, caps the replica's output rate.
 *
 * <p>The step in flight is a {@link Step}: the batcher adds sequences to it and it keeps the sums
 * the latency model prices, so a step walks its batch once to schedule it and once to finish it.
 *
 * <p>Invariants: KV blocks in use never exceed the total; a step's tokens never exceed the budget;
 * tokens reported equal tokens generated. Steps are scheduled at intended clock times (start plus
 * modelled duration) so timer lateness on a real clock does not accumulate.
 *
 * <p>Single-threaded: every method must be called on the clock.
 */
public final class Engine {

  /** Timer lateness absorbed into the modelled schedule; beyond it the engine resumes from now. */
  private static final long MAX_TIMER_LAG_NANOS = 5_000_000;

  private final String replicaId;
  private final Deployment deployment;
  private final LatencyModel latency;
  private final Clock clock;
  private final PriceList prices;
  private final Capacity capacity;
  private final int staticBatch;
  private final long admissionNanos;
  private final boolean reserveMax;
  private final HostThread host;

  private final WaitQueue waiting;
  /** Submitted, still in the service front end or on the host: in submission order. */
  private final ArrayDeque<Sequence> admitting = new ArrayDeque<>();
  private final List<Sequence> running = new ArrayList<>();
  private final Step step = new Step();
  private long freeBlocks;
  private long order;
  private boolean stepPending;
  private long pendingStart;
  private long lastStepEnd = Long.MIN_VALUE;
  private long outstandingTokens;
  /** Prompt tokens still to prefill of the running sequences. */
  private long runningPrefill;
  /**
   * Prompt tokens the step in flight prefills: still in {@link #runningPrefill} until the step ends,
   * but done by the time a request submitted now can join a step.
   */
  private long inFlightPrefill;
  /** Static batching: the padded prompt length of the batch in flight. */
  private int batchBucket;

  private final EngineStats stats = new EngineStats();
  private final double toolCallRate;
  private final TokenText text;
  private final Predictor predictor;
  private final Runnable startStep = this::startStep;
  private final Runnable finishStep = this::finishStep;

  public Engine(
      String replicaId, Deployment deployment, Clock clock, PriceList prices, int staticBatchSize) {
    this(replicaId, deployment, clock, prices, staticBatchSize, OutputPlan.DEFAULT_TOOL_CALL_RATE,
        TokenText.WRITTEN);
  }

  /**
   * @param toolCallRate under {@code tool_choice: auto}, the probability that an answer calls a tool
   * @param text whether free text is written or its tokens sent empty
   */
  public Engine(
      String replicaId, Deployment deployment, Clock clock, PriceList prices, int staticBatchSize,
      double toolCallRate, TokenText text) {
    if (!(toolCallRate >= 0 && toolCallRate <= 1)) {
      throw new IllegalArgumentException("toolCallRate: " + toolCallRate + " (expected: 0 to 1)");
    }
    this.toolCallRate = toolCallRate;
    this.text = requireNonNull(text, "text");
    this.replicaId = requireNonNull(replicaId, "replicaId");
    this.deployment = requireNonNull(deployment, "deployment");
    this.latency = new LatencyModel(deployment);
    this.clock = requireNonNull(clock, "clock");
    this.prices = requireNonNull(prices, "prices");
    StackProfile stack = deployment.stack();
    boolean isStatic = stack.batching() == Batching.STATIC;
    this.staticBatch =
        isStatic
            ? (staticBatchSize > 0
                ? staticBatchSize
                : stack.staticBatchSizes().get(stack.staticBatchSizes().size() - 1))
            : 0;
    int maxTokens = (int) Math.min(deployment.model().contextTokens(), deployment.kvBlocks() * Deployment.KV_BLOCK_TOKENS);
    this.capacity =
        new Capacity(
            isStatic ? staticBatch : stack.maxRunningSequences(),
            deployment.kvBlocks(),
            Deployment.KV_BLOCK_TOKENS,
            stack.maxBatchTokens(),
            maxTokens,
            staticBatch);
    this.freeBlocks = deployment.kvBlocks();
    this.admissionNanos = Math.round(latency.admissionSeconds() * 1e9);
    this.reserveMax = stack.reserveMaxTokens();
    this.host = new HostThread(clock, Math.round(latency.hostTokenSeconds() * 1e9));
    this.waiting =
        isStatic
            ? new WaitQueue(s -> staticBlocks(s.request), s -> 0)
            : new WaitQueue(
                s -> firstBlocks(s.remaining(), s.remainingOutput()),
                s -> Math.min(s.remaining(), capacity.maxBatchTokens()));
    this.predictor = new Predictor(this);
  }

  public String replicaId() {
    return replicaId;
  }

  public Deployment deployment() {
    return deployment;
  }

  Clock clock() {
    return clock;
  }

  public LatencyModel latency() {
    return latency;
  }

  public Capacity capacity() {
    return capacity;
  }

  public EngineStats stats() {
    return stats;
  }

  public LoadSnapshot load() {
    return new LoadSnapshot(
        running.size(), waiting.size(), deployment.kvBlocks() - freeBlocks, deployment.kvBlocks(),
        outstandingTokens);
  }

  /**
   * Whether a request submitted now would start in the next step rather than wait: there is a free
   * sequence slot, and after the requests already waiting for that step, room in its token budget and
   * free KV blocks for this one's first chunk. For static batching: no batch is running and the one
   * being formed has a free slot. This is what the gateway's late binding asks before it binds.
   */
  public boolean hasCapacityFor(InferenceRequest request) {
    if (staticBatch > 0) {
      if (!running.isEmpty() || waiting.size() >= staticBatch) {
        return false;
      }
      return staticBlocks(request) + waiting.admissionBlocks() <= freeBlocks;
    }
    if (running.size() + waiting.size() >= capacity.maxRunningSequences()) {
      return false;
    }
    long blocks = firstBlocks(request.promptTokens(), request.maxOutputTokens()) + waiting.admissionBlocks();
    return waiting.admissionTokens() < capacity.maxBatchTokens() && blocks <= freeBlocks;
  }

  /** KV blocks a waiting request takes when admitted: its first chunk, or its maximum if reserved. */
  private long firstBlocks(int toCompute, int outputLeft) {
    return reserveMax
        ? blocksFor((long) toCompute + outputLeft)
        : blocksFor(Math.min(toCompute, capacity.maxBatchTokens()));
  }

  private long staticBlocks(InferenceRequest request) {
    return blocksFor(deployment.stack().bucket(request.promptTokens()) + request.maxOutputTokens());
  }

  /** Accepts {@code request}; its events go to {@code sink}, on the clock. */
  public Submission submit(InferenceRequest request, TokenSink sink) {
    long now = clock.nanoTime();
    long total = (long) request.promptTokens() + request.maxOutputTokens();
    // A compiled graph pads the prompt to its bucket: that is what must fit.
    long held = staticBatch > 0 ? staticBlocks(request) * Deployment.KV_BLOCK_TOKENS : total;
    if (total > capacity.maxModelTokens() || held > deployment.kvBlocks() * Deployment.KV_BLOCK_TOKENS) {
      sink.accept(
          new TokenEvent.Failure(
              new BackendException(
                  BackendException.Kind.INVALID_REQUEST,
                  "prompt (" + request.promptTokens() + ") plus max output tokens ("
                      + request.maxOutputTokens() + ") exceed the " + capacity.maxModelTokens()
                      + " tokens " + replicaId + " can hold"),
              true, now));
      return () -> {};
    }
    long seed =
        request.sampling().seed().isPresent()
            ? request.sampling().seed().getAsLong()
            : 31L * request.prompt().hashCode() + request.promptTokens();
    boolean textRead = text == TokenText.WRITTEN || !request.sampling().stop().isEmpty();
    Sequence sequence =
        new Sequence(
            request, sink, order++, now, OutputPlan.of(request.output(), seed, toolCallRate, textRead));
    outstandingTokens += total;
    stats.submitted++;
    predictor.arrived(now, request.promptTokens(), request.maxOutputTokens());
    long ready = now + admissionNanos;
    long hostNanos = Math.round(latency.hostRequestSeconds(request.promptTokens()) * 1e9);
    if (hostNanos > 0) {
      ready = host.queue(ready, hostNanos);
    }
    if (ready > now) {
      admitting.add(sequence);
      clock.schedule(ready, () -> enqueue(sequence));
    } else {
      enqueue(sequence);
    }
    return () -> cancel(sequence);
  }

  private void enqueue(Sequence sequence) {
    admitting.remove(sequence); // the head, but for a cancelled one or a host that reordered
    if (sequence.done) {
      return;
    }
    waiting.add(sequence);
    predictor.joined(sequence);
    wake(false);
  }

  /**
   * Schedules a step unless one is pending. {@code backToBack}: called as the previous step ends, so
   * the next starts at that step's modelled end even when its timer fired late; otherwise (work
   * arriving at an idle engine) the step starts now.
   */
  private void wake(boolean backToBack) {
    if (!stepPending) {
      stepPending = true;
      long now = clock.nanoTime();
      boolean continuing =
          backToBack && lastStepEnd != Long.MIN_VALUE && now - lastStepEnd <= MAX_TIMER_LAG_NANOS;
      pendingStart = continuing ? lastStepEnd : Math.max(now, lastStepEnd);
      clock.schedule(pendingStart, startStep);
    }
  }

  private void startStep() {
    long now = clock.nanoTime();
    // A real clock fires timers late; keep the intended start unless the lag is more than jitter.
    long start = now - pendingStart <= MAX_TIMER_LAG_NANOS ? pendingStart : now;
    double seconds = staticBatch > 0 ? scheduleStatic(start) : scheduleContinuous(start);
    if (step.isEmpty()) {
      stepPending = false;
      return;
    }
    long duration = Math.max(1, Math.round(seconds * 1e9));
    long end = start + duration;
    stats.steps++;
    stats.busyNanos += duration;
    double stepCost = deployment.costPerSecond() * duration / 1e9;
    long tokens = step.tokens();
    for (int i = 0; i < step.size(); i++) {
      Sequence s = step.get(i);
      s.costUsd += stepCost * s.scheduled / tokens;
      inFlightPrefill += Math.min(s.computed + s.scheduled, s.promptTokens) - Math.min(s.computed, s.promptTokens);
    }
    stats.costUsd += stepCost;
    lastStepEnd = end;
    clock.schedule(end, finishStep);
  }

  /** At the end of the step in flight ({@code lastStepEnd}): its sequences advance and sample. */
  private void finishStep() {
    long end = lastStepEnd;
    boolean ended = false;
    for (int i = 0; i < step.size(); i++) {
      Sequence s = step.get(i);
      if (s.done) {
        continue;
      }
      // Prompt tokens this step prefilled leave both the outstanding and the queued-prefill totals.
      int prompt = s.promptTokens;
      int prefilled = Math.min(s.computed + s.scheduled, prompt) - Math.min(s.computed, prompt);
      s.computed += s.scheduled;
      s.scheduled = 0;
      outstandingTokens -= prefilled;
      runningPrefill -= prefilled;
      if (s.computed >= s.tokens()) {
        emitToken(s, end);
        ended |= s.done;
      }
    }
    step.clear();
    inFlightPrefill = 0;
    if (ended) {
      running.removeIf(s -> s.done);
    }
    stepPending = false;
    if (!running.isEmpty() || !waiting.isEmpty()) {
      wake(true);
    }
  }

  /** Prefill work queued ahead: the running total prediction uses, for tests to check. */
  long queuedPrefillTokens() {
    return runningPrefill + waiting.remaining();
  }

  /** The same, counted the slow way. */
  long queuedPrefillTokensCounted() {
    long total = 0;
    for (Sequence s : waiting) {
      total += s.remaining();
    }
    for (Sequence s : running) {
      total += s.done ? 0 : prefillPart(s);
    }
    return total;
  }

  private static long prefillPart(Sequence s) {
    return s.prefilling() ? s.promptTokens - s.computed : 0;
  }

  /** Prompt tokens still to prefill plus output tokens still to generate. */
  private static long outstanding(Sequence s) {
    int prompt = s.promptTokens;
    return prompt - Math.min(s.computed, prompt) + s.remainingOutput();
  }

  private void emitToken(Sequence s, long at) {
    String piece = s.output.next();
    TokenEvent.ToolCall call = s.output.call();
    if (call == null && s.stopsAt(piece)) {
      finish(s, FinishReason.STOP, at);
      return;
    }
    int index = s.generated;
    s.generated++;
    outstandingTokens--;
    stats.tokensOut++;
    long seen = host.tokenNanos() > 0 ? host.queue(at, host.tokenNanos()) : at;
    host.deliver(s, new TokenEvent.Token(index, piece, seen, call));
    if (!s.done && s.output.exhausted()) {
      finish(s, s.output.end(), at);
    }
    if (!s.done && s.generated >= s.maxOutputTokens) {
      finish(s, FinishReason.LENGTH, at);
    }
  }

  private void finish(Sequence s, FinishReason reason, long at) {
    outstandingTokens -= outstanding(s);
    if (s.running) {
      runningPrefill -= prefillPart(s);
      s.running = false;
    }
    s.done = true;
    freeBlocks += s.blocks;
    s.blocks = 0;
    Usage usage = new Usage(s.promptTokens, s.generated);
    double price = prices.price(deployment.model().name(), s.request.tier(), usage);
    long queued = (s.firstStepNanos < 0 ? at : s.firstStepNanos) - s.submittedNanos;
    stats.finished++;
    // After the last token on the host; a cancelled stream ends now, whatever the host still holds.
    long seen =
        reason == FinishReason.CANCELLED || host.tokenNanos() == 0 ? at : Math.max(at, host.freeAt());
    TokenEvent finish = new TokenEvent.Finish(reason, usage, s.costUsd, price, queued, seen);
    if (reason == FinishReason.CANCELLED) {
      s.emit(finish);
    } else {
      host.deliver(s, finish);
    }
  }

  private void cancel(Sequence s) {
    if (s.done) {
      if (!s.closed) {
        host.cut(s);
      }
      return;
    }
    waiting.remove(s);
    finish(s, FinishReason.CANCELLED, clock.nanoTime());
    running.remove(s);
  }

  // ---------------------------------------------------------------- continuous batching

  private double scheduleContinuous(long start) {
    int budget = capacity.maxBatchTokens();
    boolean preempted = false;
    int i = 0;
    while (i < running.size() && budget > 0) {
      Sequence s = running.get(i);
      int need = Math.min(s.remaining(), budget);
      long more = Math.max(0, blocksFor(s.computed + need) - s.blocks);
      boolean self = false;
      while (more > freeBlocks) {
        Sequence victim = running.remove(running.size() - 1);
        preempt(victim);
        preempted = true;
        if (victim == s) {
          self = true;
          break;
        }
      }
      if (self) {
        break;
      }
      allocate(s, more);
      step.add(s, need, start);
      budget -= need;
      i++;
    }
    while (!preempted && budget > 0 && running.size() < capacity.maxRunningSequences()) {
      Sequence s = waiting.peek();
      if (s == null) {
        break;
      }
      int need = Math.min(s.remaining(), budget);
      long more =
          reserveMax
              ? blocksFor(s.promptTokens + s.maxOutputTokens) - s.blocks
              : blocksFor(s.computed + need) - s.blocks;
      if (more > freeBlocks) {
        break;
      }
      waiting.poll();
      admit(s);
      allocate(s, more);
      step.add(s, need, start);
      budget -= need;
    }
    return latency.stepSeconds(
        step.size(), step.tokens(), step.attention(), step.kvRead(), step.prefills());
  }

  private void allocate(Sequence s, long blocks) {
    if (blocks > freeBlocks) {
      throw new IllegalStateException("KV over-commit on " + replicaId);
    }
    s.blocks += blocks;
    freeBlocks -= blocks;
  }

  private void admit(Sequence s) {
    running.add(s);
    s.running = true;
    runningPrefill += prefillPart(s);
  }

  private void preempt(Sequence s) {
    freeBlocks += s.blocks;
    s.blocks = 0;
    runningPrefill -= prefillPart(s);
    s.running = false;
    long before = outstanding(s);
    s.computed = 0;
    outstandingTokens += outstanding(s) - before;
    s.preemptions++;
    stats.preemptions++;
    waiting.add(s);
  }

  // ---------------------------------------------------------------- static batching

  private double scheduleStatic(long start) {
    StackProfile stack = deployment.stack();
    if (running.isEmpty()) {
      int longest = 0;
      while (!waiting.isEmpty() && running.size() < staticBatch) {
        Sequence s = waiting.peek();
        long blocks = blocksFor(stack.bucket(s.promptTokens) + s.maxOutputTokens);
        if (blocks > freeBlocks) {
          break;
        }
        waiting.poll();
        allocate(s, blocks);
        admit(s);
        longest = Math.max(longest, s.promptTokens);
      }
      if (running.isEmpty()) {
        return 0;
      }
      batchBucket = stack.bucket(longest);
    }
    boolean prefill = false;
    int maxContext = 0;
    for (Sequence s : running) {
      prefill |= s.prefilling();
      maxContext = Math.max(maxContext, s.tokens());
      step.add(s, s.remaining(), start);
    }
    // Compiled graphs compute every slot: the prompt padded to the bucket, contexts to a bucket.
    if (prefill) {
      long n = batchBucket;
      return latency.stepSeconds(
          staticBatch, staticBatch * n, staticBatch * n * (n + 1) / 2.0, (double) staticBatch * n, true);
    }
    double context = stack.bucket(maxContext);
    return latency.stepSeconds(
        staticBatch, staticBatch, staticBatch * (context + 1), staticBatch * (context + 1), false);
  }

  // ---------------------------------------------------------------- prediction

  /** What {@code request} would see if submitted now: see {@link Predictor}. */
  public Prediction predict(InferenceRequest request) {
    return predictor.predict(request, clock.nanoTime());
  }

  Predictor predictor() {
    return predictor;
  }

  List<Sequence> runningSequences() {
    return running;
  }

  Iterable<Sequence> waitingSequences() {
    return waiting;
  }

  /** Sequences submitted but not yet in the scheduler's queue: in the front end or on the host. */
  Iterable<Sequence> admittingSequences() {
    return admitting;
  }

  int waitingCount() {
    return waiting.size();
  }

  long freeBlocks() {
    return freeBlocks;
  }

  /**
   * Prompt tokens still to prefill ahead of a request of tier rank {@code tierRank} once the step in
   * flight has ended (a request waits for that step, and its prefill is done when it ends).
   */
  long queuedPrefillThrough(int tierRank) {
    return Math.max(0, runningPrefill - inFlightPrefill) + waiting.remainingThrough(tierRank);
  }

  /** When the step in flight ends; {@code nowNanos} when none is. */
  long stepInFlightEndsAt(long nowNanos) {
    return step.isEmpty() ? nowNanos : Math.max(nowNanos, lastStepEnd);
  }

  double hostBacklogSeconds() {
    return host.backlogSeconds();
  }

  static long blocksFor(long tokens) {
    return (tokens + Deployment.KV_BLOCK_TOKENS - 1) / Deployment.KV_BLOCK_TOKENS;
  }
}
