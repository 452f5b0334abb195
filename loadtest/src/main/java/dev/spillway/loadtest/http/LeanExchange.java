package dev.spillway.loadtest.http;

import dev.spillway.backends.time.Clock;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.workload.PlannedRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * One request timed at its first body bytes and its end, without reading what the bytes say: the
 * driver's lean mode, for rates where parsing every SSE chunk would make the load tester the
 * bottleneck (a proxy's overhead at thousands of requests per second, each streaming hundreds of
 * chunks).
 *
 * <p>Implementation notes. {@link Call} sends it and decides its end. The first token is the
 * arrival of the first body bytes (the end, for an empty body), the end is the last body bytes, and the
 * record holds one output token, so TPOT and ITL are empty. The only look at the content is the last
 * bytes of a streamed body, which must hold {@code [DONE]}: a stream cut short is a {@code
 * stream_error}, not a fast success.
 */
final class LeanExchange extends Call {

  /** Enough of the body's end to find {@code data: [DONE]} with its line breaks. */
  private static final int TAIL_BYTES = 32;
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final byte[] tail = new byte[TAIL_BYTES];
  private int tailLength;
  private long firstByteNanos = -1;

  LeanExchange(
      PlannedRequest planned, long intendedNanos, boolean warmup, Clock clock, long origin,
      Consumer<? super Call> onDone) {
    super(planned, intendedNanos, warmup, clock, origin, onDone);
  }

  @Override
  boolean responded() {
    return firstByteNanos >= 0;
  }

  @Override
  void onResponse(HttpClientResponse response) {
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
    end(record(first, now, new long[] {first}, 1, null, "", 0, 0));
  }

  @Override
  RequestRecord failed(String kind, long now) {
    long[] times = firstByteNanos < 0 ? new long[0] : new long[] {firstByteNanos};
    return record(firstByteNanos, now, times, 0, kind, "", 0, 0);
  }
}
