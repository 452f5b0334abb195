package dev.spillway.loadtest.http;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.time.Clock;
import dev.spillway.backends.time.VertxClock;
import dev.spillway.loadtest.metrics.LatencyRecorder;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.PlannedRequest;
import dev.spillway.loadtest.workload.Workload;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a workload against an OpenAI-compatible endpoint and records every request.
 *
 * <p>Implementation notes. Everything runs on one Vert.x context: the schedule's timers, the HTTP
 * callbacks and the bookkeeping, so nothing is shared between threads. Open loop: a timer fires at the
 * next request's intended start and sends every request that is due, then re-arms for the next one;
 * the schedule is never paused by outstanding requests, only bounded by {@code maxInflight}. A request
 * that cannot go out on time (the bound is reached, or the event loop was busy) goes out as soon as it
 * can, and its {@code sentNanos} shows how late: latencies still count from the intended start. Closed
 * loop: N clients, each sending its next request when its last one ended; intended start equals send.
 * Every time is relative to the run's start on a {@link VertxClock}. Each request is an {@link Exchange},
 * which parses every chunk, or in lean mode a {@link LeanExchange}, which only times the bytes.
 */
public final class LoadDriver {

  /** Sends in one go at most this many overdue requests, then lets responses be read. */
  private static final int MAX_SENDS_PER_TURN = 256;
  private static final long PROGRESS_EVERY_NANOS = 500_000_000L;
  private static final long PREFLIGHT_NANOS = 2_000_000_000L;

  private final Workload workload;
  private final DriverOptions options;
  private final PrintStream progress;
  private final Context context;
  private final Clock clock;
  private final HttpClient client;
  private final RequestBodies bodies;
  private final Iterator<PlannedRequest> schedule;
  private final Promise<RunResult> result = Promise.promise();
  private final List<RequestRecord> records = new ArrayList<>();
  private final Map<String, String> firstErrors = new LinkedHashMap<>();
  private final LatencyRecorder ttftSoFar = new LatencyRecorder();

  private long origin;
  private PlannedRequest next;
  private boolean waitingForSlot;
  private boolean scheduleDone;
  private int inflight;
  private int activeClients;
  private long sent;
  private long completed;
  private long failed;
  private long lastEndNanos;
  private Clock.Timer progressTimer;

  private LoadDriver(Vertx vertx, Workload workload, DriverOptions options, PrintStream progress) {
    this.workload = workload;
    this.options = options;
    this.progress = progress;
    this.context = vertx.getOrCreateContext();
    this.clock = new VertxClock(context);
    this.client =
        vertx.httpClientBuilder()
            .with(new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeout().toMillis())))
            .with(new PoolOptions().setHttp1MaxSize(options.maxInflight()).setMaxWaitQueueSize(-1))
            .build();
    this.bodies = new RequestBodies(options, workload.options().seed());
    this.schedule = workload.iterator();
  }

  /**
   * Starts the run and completes with every request's record once the schedule is exhausted (or its
   * time is up) and the last request has ended.
   *
   * @param progress where a one-line progress bar is rewritten with {@code \r}; null for none
   */
  public static Future<RunResult> run(Vertx vertx, Workload workload, DriverOptions options, PrintStream progress) {
    requireNonNull(vertx, "vertx");
    requireNonNull(workload, "workload");
    requireNonNull(options, "options");
    LoadDriver driver = new LoadDriver(vertx, workload, options, progress);
    driver.context.runOnContext(v -> driver.preflight());
    return driver.result.future();
  }

  /**
   * Before the clock starts, pays what the first requests would otherwise pay on it: class loading and
   * first use of the body encoder, prompt text and chunk parser, and a first pooled connection, opened
   * by {@code GET /models} (vLLM's bench sends a test prompt for the same reason). Its outcome is
   * ignored; after at most {@link #PREFLIGHT_NANOS} the run starts anyway.
   */
  private void preflight() {
    Iterator<PlannedRequest> peek = workload.iterator();
    if (peek.hasNext()) {
      bodies.body(peek.next());
    }
    Exchange.warmUp();
    boolean[] started = {false};
    Runnable go = () -> {
      if (!started[0]) {
        started[0] = true;
        start();
      }
    };
    Clock.Timer fallback = clock.scheduleAfter(PREFLIGHT_NANOS, go);
    try {
      client.request(bodies.modelsRequest(PREFLIGHT_NANOS / 1_000_000))
          .compose(request -> request.send().compose(response -> response.body()))
          .onComplete(ar -> {
            fallback.cancel();
            go.run();
          });
    } catch (RuntimeException e) {
      fallback.cancel();
      go.run();
    }
  }

  private void start() {
    origin = clock.nanoTime();
    if (progress != null) {
      progressTimer = clock.schedule(origin + PROGRESS_EVERY_NANOS, this::printProgress);
    }
    if (workload.openLoop()) {
      next = schedule.hasNext() ? schedule.next() : null;
      sendDue();
    } else {
      int concurrency = ((Arrival.ClosedLoop) workload.options().arrival()).concurrency();
      activeClients = concurrency;
      for (int i = 0; i < concurrency; i++) {
        nextFromClient();
      }
    }
  }

  // ---- open loop

  /** Sends every request that is due, then arms a timer for the next; re-entered when a slot frees. */
  private void sendDue() {
    int sentNow = 0;
    while (next != null) {
      long now = now();
      if (next.intendedStartNanos() > now) {
        clock.schedule(origin + next.intendedStartNanos(), this::sendDue);
        return;
      }
      if (inflight >= options.maxInflight()) {
        waitingForSlot = true; // resumed by the next request to end; the lag is recorded, not hidden
        return;
      }
      if (sentNow++ == MAX_SENDS_PER_TURN) {
        context.runOnContext(v -> sendDue());
        return;
      }
      send(next, next.intendedStartNanos(), next.warmup(), now);
      next = schedule.hasNext() ? schedule.next() : null;
    }
    scheduleDone = true;
    finishIfDone();
  }

  // ---- closed loop

  private void nextFromClient() {
    long now = now();
    Duration limit = workload.options().duration();
    if (!schedule.hasNext() || (limit != null && now >= limit.toNanos())) {
      activeClients--;
      if (activeClients == 0) {
        scheduleDone = true;
        finishIfDone();
      }
      return;
    }
    PlannedRequest request = schedule.next();
    boolean warmup = request.warmup() || workload.options().warmup().covers(request.index(), now);
    send(request, now, warmup, now);
  }

  // ---- both

  private void send(PlannedRequest request, long intendedNanos, boolean warmup, long now) {
    inflight++;
    sent++;
    Call call =
        options.lean()
            ? new LeanExchange(request, intendedNanos, warmup, clock, origin, this::onDone)
            : new Exchange(
                request, intendedNanos, warmup, options.endpoint() == Endpoint.CHAT, clock, origin, this::onDone);
    call.start(
        client, bodies.requestOptions(request), bodies.body(request), now, options.timeout().toNanos());
  }

  private void onDone(Call exchange) {
    inflight--;
    RequestRecord record = exchange.record();
    records.add(record);
    lastEndNanos = Math.max(lastEndNanos, record.endNanos());
    if (record.succeeded()) {
      completed++;
      if (!record.warmup()) {
        ttftSoFar.record(record.ttftNanos());
      }
    } else {
      failed++;
      firstErrors.putIfAbsent(record.error(), exchange.errorMessage());
    }
    if (workload.openLoop()) {
      if (waitingForSlot) {
        waitingForSlot = false;
        context.runOnContext(v -> sendDue());
      } else {
        finishIfDone();
      }
    } else {
      context.runOnContext(v -> nextFromClient());
    }
  }

  private void finishIfDone() {
    if (!scheduleDone || inflight > 0 || result.future().isComplete()) {
      return;
    }
    if (progressTimer != null) {
      progressTimer.cancel();
      printProgress();
      progress.print('\n');
      progress.flush();
    }
    records.sort(Comparator.comparingLong(RequestRecord::index));
    client.close();
    result.complete(new RunResult(records, Math.max(lastEndNanos, now()), firstErrors));
  }

  private void printProgress() {
    double elapsed = now() / 1e9;
    String line = String.format(Locale.ROOT,
        "\r%7.1fs  sent %d  done %d  %.1f req/s  errors %d  median TTFT %s   ",
        elapsed, sent, completed + failed, elapsed > 0 ? (completed + failed) / elapsed : 0.0, failed,
        ttftSoFar.count() == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", ttftSoFar.percentileMs(50)));
    progress.print(line);
    progress.flush();
    if (!result.future().isComplete() && !scheduleDoneAndIdle()) {
      progressTimer = clock.schedule(clock.nanoTime() + PROGRESS_EVERY_NANOS, this::printProgress);
    }
  }

  private boolean scheduleDoneAndIdle() {
    return scheduleDone && inflight == 0;
  }

  private long now() {
    return clock.nanoTime() - origin;
  }
}
