package dev.spillway.loadtest.http;

import dev.spillway.backends.time.Clock;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.workload.PlannedRequest;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;

/**
 * One request the driver sends and waits for; it reports exactly one record when it ends. This class
 * owns the request's life on the wire — connect, send, the deadline, resetting an exchange still open
 * — and leaves reading the response to {@link Exchange} (every chunk) or {@link LeanExchange} (first
 * and last bytes).
 *
 * <p>Implementation notes. {@link #done} is set before the record is handed on, and every path checks
 * it first, so whichever of the response's end, a broken connection or the deadline comes first
 * decides. Once done, an HTTP exchange still open is reset ({@link #resetIfOpen}), which closes its
 * connection. Confined to the run's context: started there, so every HTTP callback and the deadline
 * run there.
 */
abstract class Call {

  final PlannedRequest planned;
  final Clock clock;
  /** Clock time of the run's start: record times are relative to it. */
  final long origin;
  final long intendedNanos;
  final boolean warmup;
  private final Consumer<? super Call> onDone;

  long sentNanos;
  /** The terminal outcome has been decided: nothing else may follow. */
  boolean done;
  /** The HTTP exchange is over: the response ended, the connection broke, or it was reset. */
  boolean ended;
  private Clock.Timer deadline;
  private HttpClientRequest http;
  private RequestRecord record;
  private String errorMessage;

  Call(
      PlannedRequest planned, long intendedNanos, boolean warmup, Clock clock, long origin,
      Consumer<? super Call> onDone) {
    this.planned = planned;
    this.intendedNanos = intendedNanos;
    this.warmup = warmup;
    this.clock = clock;
    this.origin = origin;
    this.onDone = onDone;
  }

  /** What happened, once the call has ended. */
  final RequestRecord record() {
    return record;
  }

  /** A description of the failure, when there was one. */
  final String errorMessage() {
    return errorMessage;
  }

  /** Sends the request now; {@code sentNanos} is relative to the run's start. */
  final void start(
      HttpClient client, RequestOptions options, Buffer body, long sentNanos, long timeoutNanos) {
    this.sentNanos = sentNanos;
    deadline = clock.schedule(origin + sentNanos + timeoutNanos, this::onDeadline);
    try {
      client.request(options).onComplete(ar -> onConnected(ar, body));
    } catch (RuntimeException e) {
      fail("connection", "cannot send: " + e.getMessage());
    }
  }

  private void onConnected(AsyncResult<HttpClientRequest> ar, Buffer body) {
    if (ar.failed()) {
      ended = true;
      fail("connection", "cannot connect: " + ar.cause().getMessage());
      return;
    }
    HttpClientRequest request = ar.result();
    if (done) {
      ended = true;
      request.reset();
      return;
    }
    http = request;
    request.send(body).onComplete(response -> {
      if (response.failed()) {
        ended = true;
        fail(responded() ? "stream_error" : "connection", "no response: " + response.cause().getMessage());
      } else if (!done) {
        onResponse(response.result());
      }
    });
  }

  /** The response's head arrived; the subclass reads the rest and ends the call. */
  abstract void onResponse(HttpClientResponse response);

  /** Whether any of the response had arrived: a break is then a stream error, not a connection one. */
  abstract boolean responded();

  /** The record of a failed call ending now, with what the subclass saw so far. */
  abstract RequestRecord failed(String kind, long now);

  /** How far the call got, for the timeout's message: empty, or e.g. {@code " (12 tokens)"}. */
  String progress() {
    return "";
  }

  /** Ends the call as failed, unless it already ended: resets the exchange and records {@code kind}. */
  final void fail(String kind, String message) {
    if (done) {
      return;
    }
    done = true;
    errorMessage = message;
    cancelDeadline();
    resetIfOpen();
    end(failed(kind, now()));
  }

  /** Hands on {@code outcome}; called exactly once, after {@link #done} was set. */
  final void end(RequestRecord outcome) {
    record = outcome;
    onDone.accept(this);
  }

  private void onDeadline() {
    deadline = null;
    if (done) {
      resetIfOpen(); // finished (at [DONE]), but the response never ended
      return;
    }
    fail("timeout", "no complete answer " + (now() - sentNanos) / 1_000_000 + " ms after sending" + progress());
  }

  final void resetIfOpen() {
    if (http != null && !ended) {
      ended = true;
      http.reset();
    }
  }

  final void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  /** Clock time relative to the run's start. */
  final long now() {
    return clock.nanoTime() - origin;
  }

  /** A record of this call with what is common to every outcome filled in. */
  final RequestRecord record(
      long firstNanos, long endNanos, long[] tokenTimes, int outputTokens, String error, String pool,
      double costUsd, double priceUsd) {
    return new RequestRecord(
        planned.index(), planned.model(), planned.tenant(), planned.tier().wireName(),
        planned.promptTokens(), planned.outputTokens(), intendedNanos, sentNanos, firstNanos, endNanos,
        tokenTimes, outputTokens, error, pool, costUsd, priceUsd, warmup);
  }
}
