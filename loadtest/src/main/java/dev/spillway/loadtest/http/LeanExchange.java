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
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One request timed at its first body bytes and its end, without reading what the bytes say: the
 * driver's lean mode, for rates where parsing every SSE chunk would make the load tester the
 * bottleneck (a proxy's overhead at thousands of requests per second, each streaming hundreds of
 * chunks).
 *
 * <p>Implementation notes. As in {@link Exchange}, exactly one record comes out and whichever of the
 * response's end, a broken connection or the deadline comes first decides. The first token is the
 * arrival of the first body bytes (the end, for an empty body), the end is the last body bytes, and the
 * record holds one output token, so TPOT and ITL are empty. The only look at the content is the last
 * bytes of a streamed body, which must hold {@code [DONE]}: a stream cut short is a {@code
 * stream_error}, not a fast success.
 *
 * <p>Confined to the run's context: started there, so every HTTP callback and the deadline run there.
 */
final class LeanExchange implements Call {

  /** Enough of the body's end to find {@code data: [DONE]} with its line breaks. */
  private static final int TAIL_BYTES = 32;
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final PlannedRequest planned;
  private final Clock clock;
  private final long origin;
  private final long intendedNanos;
  private final boolean warmup;
  private final Consumer<? super LeanExchange> onDone;
  private final byte[] tail = new byte[TAIL_BYTES];

  private int tailLength;
  private long sentNanos;
  private long firstByteNanos = -1;
  private Clock.Timer deadline;
  private HttpClientRequest http;
  private boolean ended;
  private boolean done;
  private RequestRecord record;
  private String errorMessage;

  LeanExchange(
      PlannedRequest planned, long intendedNanos, boolean warmup, Clock clock, long origin,
      Consumer<? super LeanExchange> onDone) {
    this.planned = planned;
    this.intendedNanos = intendedNanos;
    this.warmup = warmup;
    this.clock = clock;
    this.origin = origin;
    this.onDone = onDone;
  }

  @Override
  public RequestRecord record() {
    return record;
  }

  @Override
  public String errorMessage() {
    return errorMessage;
  }

  @Override
  public void start(HttpClient client, RequestOptions options, Buffer body, long sentNanos, long timeoutNanos) {
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
        fail(firstByteNanos >= 0 ? "stream_error" : "connection", "no response: " + response.cause().getMessage());
      } else {
        onResponse(response.result());
      }
    });
  }

  private void onResponse(HttpClientResponse response) {
    if (done) {
      return;
    }
    int status = response.statusCode();
    boolean ok = status >= 200 && status < 300;
    response.handler(chunk -> {
      if (firstByteNanos < 0) {
        firstByteNanos = now();
      }
      keepTail(chunk);
    });
    response.exceptionHandler(e -> {
      ended = true;
      fail(ok ? "stream_error" : "http_" + status, "the response broke: " + e.getMessage());
    });
    response.endHandler(v -> {
      ended = true;
      long now = now();
      if (!ok) {
        fail("http_" + status, "HTTP " + status + ", body ending: " + tailText());
      } else if (planned.stream() && !tailHoldsDone()) {
        fail("stream_error", "the stream ended without [DONE]; it ended: " + tailText());
      } else {
        succeed(now);
      }
    });
  }

  private void keepTail(Buffer chunk) {
    int n = chunk.length();
    if (n >= TAIL_BYTES) {
      chunk.getBytes(n - TAIL_BYTES, n, tail, 0);
      tailLength = TAIL_BYTES;
      return;
    }
    int keep = Math.min(tailLength, TAIL_BYTES - n);
    System.arraycopy(tail, tailLength - keep, tail, 0, keep);
    chunk.getBytes(0, n, tail, keep);
    tailLength = keep + n;
  }

  private boolean tailHoldsDone() {
    outer:
    for (int i = 0; i + DONE.length <= tailLength; i++) {
      for (int j = 0; j < DONE.length; j++) {
        if (tail[i + j] != DONE[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private String tailText() {
    return new String(tail, 0, tailLength, StandardCharsets.UTF_8).replace("\n", "\\n").trim();
  }

  private void succeed(long now) {
    if (done) {
      return;
    }
    done = true;
    cancelDeadline();
    long first = firstByteNanos >= 0 ? firstByteNanos : now;
    finish(first, now, null);
  }

  private void fail(String kind, String message) {
    if (done) {
      return;
    }
    done = true;
    errorMessage = message;
    cancelDeadline();
    if (http != null && !ended) {
      ended = true;
      http.reset();
    }
    finish(firstByteNanos, now(), kind);
  }

  private void onDeadline() {
    deadline = null;
    fail("timeout", "no complete answer " + (now() - sentNanos) / 1_000_000 + " ms after sending");
  }

  private void finish(long firstNanos, long endNanos, String error) {
    record = new RequestRecord(
        planned.index(),
        planned.model(),
        planned.tenant(),
        planned.tier().wireName(),
        planned.promptTokens(),
        planned.outputTokens(),
        intendedNanos,
        sentNanos,
        firstNanos,
        endNanos,
        firstNanos < 0 ? new long[0] : new long[] {firstNanos},
        error == null ? 1 : 0,
        error,
        "",
        0,
        0,
        warmup);
    onDone.accept(this);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  private long now() {
    return clock.nanoTime() - origin;
  }
}
