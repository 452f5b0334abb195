package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Prediction;
import java.time.Duration;

/**
 * What an {@link Engine} expects a request would see if submitted now: the TTFT, TPOT and cost the
 * routing policies decide on.
 *
 * <p>Implementation notes. TTFT is the wait for the step in flight, the prefill queued ahead (same or
 * higher tier) in chunks of the step budget, each chunk a step that also decodes the batch, then the
 * service front end and the host. TPOT is a decode step at the batch the request would join, made
 * longer by the prefills of the requests that will arrive while it decodes: each arrival adds to one
 * step the cost of its prompt over a plain decode step ({@code Δ}), so with arrivals at {@code λ} per
 * second the engine spends {@code λ·Δ} of its time on them and a token takes
 * {@code decode / (1 − λ·Δ)}. {@code λ} and the mean prompt come from the engine's own recent arrivals,
 * counted with exponential decay ({@link #HORIZON_NANOS}); a second, one-second count takes over
 * {@code λ} during a burst ({@link #arrivalRate}); nothing is known of them before the first.
 * Static engines (compiled batches) decode at their full compiled batch and at the context bucket,
 * as they run.
 *
 * <p>Single-threaded, like its engine.
 */
final class Predictor {

  /** How far back arrivals count: their weight falls by e every this many nanoseconds. */
  static final long HORIZON_NANOS = 10_000_000_000L;

  /**
   * The horizon of a second count of arrivals, which sees a burst within about a second, so that a
   * replica that starts to receive a flood of requests (a router turning to it) predicts for the flood
   * before the long count has caught up (see {@link #arrivalRate}).
   */
  static final long BURST_HORIZON_NANOS = 1_000_000_000L;

  /**
   * The fewest arrivals in the burst count that make a burst: below it the count is Poisson noise
   * around the long count's rate (at two requests a second it reads 0 to 5), and taking its rate
   * would only bias TPOT upward.
   */
  static final int BURST_MIN_ARRIVALS = 8;

  /** The most of its time the engine is taken to spend on the prefills of later arrivals. */
  private static final double MAX_PREFILL_SHARE = 0.9;

  private final Engine engine;
  private final LatencyModel latency;
  private final Deployment deployment;
  /** The running and waiting sequences' remaining outputs, for {@link #lifeBatch}. */
  private final RemainingOutputs remaining;
  /** The last prediction, for the request it was made for, when, and on which state of the engine. */
  private InferenceRequest lastRequest;
  private long lastNanos;
  private long lastVersion;
  private Prediction lastPrediction;

  /** Decayed count of arrivals and of their prompt and output tokens, as of {@link #decayedAt}. */
  private double arrivals;
  private double burstArrivals;
  private double promptTokens;
  private double outputTokens;
  private long decayedAt = Long.MIN_VALUE;

  Predictor(Engine engine) {
    this.engine = engine;
    this.latency = engine.latency();
    this.deployment = engine.deployment();
    this.remaining = new RemainingOutputs(engine);
  }

  /** The running and waiting sequences' remaining outputs, as predictions read them. */
  RemainingOutputs remaining() {
    return remaining;
  }

  /** {@code s} joined the engine's waiting queue (not by preemption). */
  void joined(Sequence s) {
    remaining.joined(s);
  }

  /** A request of {@code prompt} tokens was submitted at {@code nowNanos}. */
  void arrived(long nowNanos, int prompt, int maxOutput) {
    decayTo(nowNanos);
    arrivals += 1;
    burstArrivals += 1;
    promptTokens += prompt;
    outputTokens += maxOutput;
  }

  private void decayTo(long nowNanos) {
    if (decayedAt != Long.MIN_VALUE && nowNanos > decayedAt) {
      double keep = Math.exp(-(double) (nowNanos - decayedAt) / HORIZON_NANOS);
      arrivals *= keep;
      burstArrivals *= Math.exp(-(double) (nowNanos - decayedAt) / BURST_HORIZON_NANOS);
      promptTokens *= keep;
      outputTokens *= keep;
    }
    decayedAt = Math.max(decayedAt, nowNanos);
  }

  /**
   * Recent arrivals per second: the long count's rate, or the burst count's when that holds a burst
   * ({@link #BURST_MIN_ARRIVALS} or more) at a higher rate.
   */
  double arrivalRate(long nowNanos) {
    decayTo(nowNanos);
    double rate = arrivals / (HORIZON_NANOS / 1e9);
    if (burstArrivals >= BURST_MIN_ARRIVALS) {
      rate = Math.max(rate, burstArrivals / (BURST_HORIZON_NANOS / 1e9));
    }
    return rate;
  }

  /** The mean prompt of recent arrivals, in tokens; 0 before the first. */
  double meanPrompt(long nowNanos) {
    decayTo(nowNanos);
    return arrivals > 0 ? promptTokens / arrivals : 0;
  }

  /** The mean output of recent arrivals, in tokens; 0 before the first. */
  double meanOutput(long nowNanos) {
    decayTo(nowNanos);
    return arrivals > 0 ? outputTokens / arrivals : 0;
  }

  Prediction predict(InferenceRequest request, long nowNanos) {
    // The router asks, then the scheduler asks again as it binds: the same answer, unless time moved or
    // the engine changed in between.
    long version = remaining.version();
    if (request == lastRequest && nowNanos == lastNanos && version == lastVersion) {
      return lastPrediction;
    }
    Prediction prediction = compute(request, nowNanos);
    lastRequest = request;
    lastNanos = nowNanos;
    lastVersion = version;
    lastPrediction = prediction;
    return prediction;
  }

  private Prediction compute(InferenceRequest request, long nowNanos) {
    Counts c = new Counts(engine);
    int batch = Math.min(c.running + c.waiting + 1, c.maxRunning);
    double context = request.promptTokens() + request.maxOutputTokens() / 2.0;
    double decode;
    double ttft;
    if (c.staticBatch > 0) {
      decode = staticDecodeSeconds(c.staticBatch, request);
      ttft = staticTtft(request, c, decode);
    } else {
      decode = latency.decodeSeconds(batch, context);
      ttft = continuousTtft(request, c, batch, context, decode);
    }
    // The step in flight ends before the request can join one, unless the front end holds it longer.
    double front =
        latency.admissionSeconds()
            + engine.hostBacklogSeconds()
            + latency.hostRequestSeconds(request.promptTokens());
    double inFlight = Math.max(0, (engine.stepInFlightEndsAt(nowNanos) - nowNanos) / 1e9 - front);
    ttft += inFlight + front + latency.hostTokenSeconds();
    double perToken = decode / (1 - prefillShare(nowNanos, batch, context, c));
    if (c.staticBatch == 0) {
      // Decode at the batch the request will see over its life, not at the batch of now.
      for (int i = 0; i < 3; i++) {
        double lifeBatch = lifeBatch(request, nowNanos, ttft, perToken, c.maxRunning, front);
        perToken =
            decodeAt(lifeBatch, context)
                / (1 - prefillShare(nowNanos, (int) Math.round(lifeBatch), context, c));
      }
    }
    double costShare =
        deployment.costPerSecond()
            * (latency.prefillSeconds(request.promptTokens()) / Math.max(1, batch)
                + request.maxOutputTokens() * decode / batch);
    return new Prediction(seconds(ttft), seconds(perToken), costShare);
  }

  /**
   * The mean batch over the request's decode, from {@code ttft} for {@code maxOutputTokens} tokens of
   * {@code tpot}: itself, the sequences now in the engine or its front end for as long as their
   * remaining output overlaps that window, and the arrivals expected at the recent rate, each staying
   * for the recent mean output.
   */
  private double lifeBatch(
      InferenceRequest request, long nowNanos, double ttft, double tpot, int maxRunning, double front) {
    double life = Math.max(tpot, request.maxOutputTokens() * tpot);
    double end = ttft + life;
    double present = 1 + remaining.overlap(tpot, ttft, end) / life;
    // Those in the front end join when they leave it, one front-end delay after they came.
    present += remaining.admittingOverlap(nowNanos, latency.admissionSeconds(), tpot, ttft, end) / life;
    double rate = arrivalRate(nowNanos);
    double stay = meanOutput(nowNanos) * tpot;
    if (rate > 0 && stay > 0) {
      // Arrivals from now on join after the same front end; t after it, those of the last
      // min(t, stay) seconds are present: λ·min(t, stay), averaged over the window.
      present += rate * meanOverlap(life, stay, Math.max(0, ttft - front));
    }
    return Math.min(maxRunning, present);
  }

  /** {@code min(lead + y, stay)} averaged over {@code y ∈ [0, life]}. */
  static double meanOverlap(double life, double stay, double lead) {
    double a = lead;
    double knee = Math.max(0, Math.min(life, stay - a)); // where y + a reaches stay
    double rising = knee * a + knee * knee / 2;
    double flat = (life - knee) * stay;
    return (rising + flat) / life;
  }

  private double decodeAt(double batch, double context) {
    // Linear between the whole batches around it: a step's cost grows with each sequence.
    int lo = Math.max(1, (int) Math.floor(batch));
    double frac = batch - lo;
    double low = latency.decodeSeconds(lo, context);
    return frac <= 0 ? low : low + frac * (latency.decodeSeconds(lo + 1, context) - low);
  }

  /**
   * The share of its time the engine will spend on prefills of requests arriving while this one
   * decodes: arrivals per second times what one arrival's prompt adds to a decode step.
   */
  private double prefillShare(long nowNanos, int batch, double context, Counts c) {
    double rate = arrivalRate(nowNanos);
    double prompt = meanPrompt(nowNanos);
    if (rate <= 0 || prompt <= 0 || c.staticBatch > 0) {
      return 0;
    }
    long budget = deployment.stack().maxBatchTokens();
    double chunks = Math.ceil(prompt / budget);
    double chunk = prompt / chunks;
    double plain = latency.decodeSeconds(batch, context);
    double withChunk =
        latency.stepSeconds(
            batch, (long) Math.ceil(chunk) + batch, chunk * (chunk + 1) / 2.0 + batch * (context + 1),
            chunk + batch * (context + 1), true);
    double added = chunks * Math.max(0, withChunk - plain);
    return Math.min(MAX_PREFILL_SHARE, rate * added);
  }

  /** Compiled graphs decode every slot of the batch at the context rounded to its bucket. */
  private double staticDecodeSeconds(int staticBatch, InferenceRequest request) {
    StackProfile stack = deployment.stack();
    int bucket = stack.bucket(request.promptTokens());
    double context = stack.bucket(bucket + request.maxOutputTokens() / 2);
    return latency.stepSeconds(
        staticBatch, staticBatch, staticBatch * (context + 1), staticBatch * (context + 1), false);
  }

  private double staticTtft(InferenceRequest request, Counts c, double decode) {
    double drain = 0;
    for (Sequence s : engine.runningSequences()) {
      drain = Math.max(drain, s.remainingOutput());
    }
    int bucket = deployment.stack().bucket(request.promptTokens());
    double prefill =
        latency.stepSeconds(
            c.staticBatch, (long) c.staticBatch * bucket, c.staticBatch * bucket * (bucket + 1) / 2.0,
            (double) c.staticBatch * bucket, true);
    double rounds = Math.floor((double) c.waiting / c.staticBatch);
    return drain * decode + rounds * (prefill + request.maxOutputTokens() * decode) + prefill;
  }

  private double continuousTtft(
      InferenceRequest request, Counts c, int batch, double context, double decode) {
    long ahead = engine.queuedPrefillThrough(request.tier().ordinal());
    long own = request.promptTokens();
    long budget = deployment.stack().maxBatchTokens();
    long chunks = (ahead + own + budget - 1) / budget;
    double chunk = Math.min(budget, ahead + own);
    double chunkStep =
        latency.stepSeconds(
            batch, (long) chunk + batch - 1, chunk * (chunk + 1) / 2.0 + (batch - 1) * context,
            chunk + (batch - 1) * context, true);
    double ttft = chunks * chunkStep;
    if (c.running >= c.maxRunning || engine.blocksFor(own) > engine.freeBlocks()) {
      int soonest = Integer.MAX_VALUE;
      for (Sequence s : engine.runningSequences()) {
        soonest = Math.min(soonest, s.remainingOutput());
      }
      ttft += (soonest == Integer.MAX_VALUE ? 0 : soonest) * decode;
    }
    return ttft;
  }

  /** The engine's counts a prediction reads, once. */
  private static final class Counts {
    final int running;
    final int waiting;
    final int maxRunning;
    final int staticBatch;

    Counts(Engine engine) {
      this.running = engine.runningSequences().size();
      this.waiting = engine.waitingCount();
      this.maxRunning = engine.capacity().maxRunningSequences();
      this.staticBatch = engine.capacity().staticBatchSize();
    }
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos(Math.max(0, Math.round(s * 1e9)));
  }
}
