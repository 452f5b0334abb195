package dev.spillway.backends.upstream;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.time.Clock;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One request in flight to an upstream: a streaming {@code POST /chat/completions} whose SSE chunks
 * become the request's token events.
 *
 * <p>Implementation notes. The invariant is exactly one terminal event: {@link #done} is set before any
 * terminal event is emitted and every path checks it first, so whichever comes first of [DONE], the
 * response's end, a broken connection, the deadline or {@link #cancel()} decides the outcome and the
 * others find nothing to do. The replica's slot is released before the terminal event goes out, so a
 * sink that reads the replica's load sees it freed. Once done, an HTTP exchange still open is reset,
 * which closes an HTTP/1.1 connection: the upstream stops generating for nobody. The one exception is
 * a normal finish at {@code [DONE]}, where the upstream is left to end its response (and keep its
 * connection alive); the deadline timer stays armed until then and resets a response that never ends.
 *
 * <p>An upstream that answers a streaming request with one plain {@code chat.completion} body (some
 * providers do for some models) is served too: its whole content becomes one token event, with the
 * usage and finish reason it reports, and the gateway answers the client in the shape it asked for.
 *
 * <p>Confined to its home: the sink's executor runs {@link #start}, so Vert.x delivers every HTTP
 * callback on that thread too, and the deadline is a Vert.x timer of that context. Time is read from
 * the clock, whose {@code nanoTime} any thread may call.
 */
final class UpstreamExchange {

  private final UpstreamReplica replica;
  private final InferenceRequest request;
  private final TokenSink sink;
  private final Clock clock;
  /** Made when the response turns out to be an event stream. */
  private SseParser parser;
  private final SseParser.Events events = this::onEvent;
  private final ChunkReader reader = new ChunkReader();

  private long submittedNanos;
  /** When the request was handed to the connection, written; -1 before. */
  private long requestSentNanos = -1;
  /** When the latest bytes of the response arrived; -1 before any. */
  private long lastByteNanos = -1;
  /**
   * Time spent handling the response's bytes as they came (parsing, passing tokens on to the client):
   * the gateway's own work inside the upstream's window, left out of the upstream's service time.
   */
  private long handlingNanos;
  private long firstByteNanos = -1;
  private long firstTokenNanos = -1;
  private long lastTokenNanos = -1;
  private int tokens;
  /** As the upstream reported them; null until seen. */
  private FinishReason finishReason;
  /** The tool calls the answer has introduced so far; null until the first. */
  private List<TokenEvent.ToolCall> calls;
  private Usage usage;

  /** The deadline: an event-loop timer of the home context, or null. */
  private io.vertx.core.Timer deadline;
  /** The response is one JSON body, not an event stream. */
  private boolean plainJson;
  private Buffer jsonBody;
  /** The HTTP request, once a connection was obtained for it. */
  private HttpClientRequest http;
  /** The terminal event has been emitted (or is being emitted): nothing else may follow. */
  private boolean done;
  /** The HTTP exchange is over: the response ended, the connection broke, or it was reset. */
  private boolean ended;

  UpstreamExchange(UpstreamReplica replica, InferenceRequest request, TokenSink sink, Clock clock) {
    this.replica = replica;
    this.request = request;
    this.sink = sink;
    this.clock = clock;
  }

  InferenceRequest request() {
    return request;
  }

  /** The thread this exchange runs on: its sink's. */
  Executor home() {
    return sink.executor();
  }

  /** Prompt plus max output: what this request counts for in the replica's load while in flight. */
  long budgetTokens() {
    return (long) request.promptTokens() + request.maxOutputTokens();
  }

  /** The replica is closed: fails the request before anything was sent. On the home thread. */
  void failBeforeStart(BackendException error) {
    if (!done) {
      done = true;
      sink.accept(new TokenEvent.Failure(error, true, clock.nanoTime()));
    }
  }

  /**
   * Sends the request with {@code client}. Called on the home thread, after the replica counted it in
   * flight; Vert.x then runs every callback of this HTTP request on that same thread.
   */
  void start(HttpClient client) {
    if (done) {
      replica.ended(this, -1, -1); // cancelled before it could start: free the slot counted for it
      return;
    }
    submittedNanos = clock.nanoTime();
    UpstreamSettings settings = replica.settings();
    long timeoutNanos = settings.timeout().toNanos();
    long remaining =
        request.deadlineNanos() == InferenceRequest.NO_DEADLINE
            ? timeoutNanos
            : Math.min(timeoutNanos, request.deadlineNanos() - submittedNanos);
    // A plain event-loop timer, not Vertx.setTimer: no timer id map or close hook per request.
    deadline = ((ContextInternal) Vertx.currentContext()).timer(Math.max(1, remaining), TimeUnit.NANOSECONDS);
    deadline.onSuccess(v -> onDeadline());
    Buffer body = ChatWire.requestBody(request, settings.upstreamModel());
    try {
      client.request(requestOptions(replica, request))
          .onComplete(ar -> onConnected(ar, body));
    } catch (RuntimeException e) {
      fail(BackendException.Kind.UPSTREAM, replica.id() + ": cannot send the request: " + e.getMessage(), true);
    }
  }

  private void onConnected(AsyncResult<HttpClientRequest> ar, Buffer body) {
    if (ar.failed()) {
      ended = true;
      if (!done) {
        Throwable cause = ar.cause();
        BackendException.Kind kind =
            cause instanceof ConnectionPoolTooBusyException
                ? BackendException.Kind.OVERLOADED
                : BackendException.Kind.UPSTREAM;
        fail(kind, replica.id() + ": cannot connect: " + cause.getMessage(), true);
      }
      return;
    }
    HttpClientRequest connected = ar.result();
    if (done) {
      ended = true;
      connected.reset(); // cancelled or timed out while connecting
      return;
    }
    http = connected;
    Future<HttpClientResponse> answer = connected.send(body);
    requestSentNanos = clock.nanoTime(); // the connection is ready: send wrote the request
    answer
        .onComplete(
            response -> {
              if (response.failed()) {
                onBroken(response.cause());
              } else {
                onResponse(response.result());
              }
            });
  }

  private void onResponse(HttpClientResponse response) {
    if (done) {
      return;
    }
    firstByteNanos = clock.nanoTime();
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      readError(response, status);
      return;
    }
    String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
    plainJson = type != null && type.regionMatches(true, 0, "application/json", 0, 16);
    if (!plainJson) {
      parser = new SseParser();
    }
    response.handler(this::onBody);
    response.endHandler(v -> onEnd());
    response.exceptionHandler(this::onBroken);
  }

  /** Reads a bounded error body, then fails with its message and the kind its status implies. */
  private void readError(HttpClientResponse response, int status) {
    Buffer body = Buffer.buffer();
    Duration retryAfter =
        ChatWire.retryAfter(
            response.getHeader("retry-after-ms"), response.getHeader("Retry-After"),
            System.currentTimeMillis());
    response.handler(
        chunk -> {
          int room = ChatWire.MAX_ERROR_BODY_BYTES - body.length();
          if (room > 0) {
            body.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
          }
        });
    response.endHandler(
        v -> {
          ended = true;
          failWithStatus(status, ChatWire.errorMessage(body), retryAfter);
        });
    response.exceptionHandler(
        e -> {
          ended = true;
          failWithStatus(status, ChatWire.errorMessage(body), retryAfter);
        });
  }

  private void failWithStatus(int status, String message, Duration retryAfter) {
    if (done) {
      return;
    }
    BackendException.Kind kind = ChatWire.kindOf(status);
    if (kind == BackendException.Kind.INVALID_REQUEST && message != null) {
      // Goes back to the client as a 400: the upstream's own words, as if it had been called directly.
      fail(new BackendException(kind, message), true);
    } else {
      String text = replica.id() + ": upstream answered " + status + (message == null ? "" : ": " + message);
      fail(
          new BackendException(
              kind, text, kind == BackendException.Kind.OVERLOADED ? retryAfter : null),
          true);
    }
  }

  private void onBody(Buffer chunk) {
    lastByteNanos = clock.nanoTime();
    if (done) {
      return;
    }
    try {
      handle(chunk);
    } finally {
      handlingNanos += clock.nanoTime() - lastByteNanos;
    }
  }

  private void handle(Buffer chunk) {
    if (plainJson) {
      if (jsonBody == null) {
        jsonBody = Buffer.buffer(chunk.length());
      }
      if (jsonBody.length() + chunk.length() > SseParser.MAX_EVENT_BYTES) {
        fail(
            BackendException.Kind.UPSTREAM,
            replica.id() + ": upstream sent a JSON answer over " + SseParser.MAX_EVENT_BYTES + " bytes",
            true);
        return;
      }
      jsonBody.appendBuffer(chunk);
      return;
    }
    if (!parser.feed(chunk, events) && !done) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream sent an event over " + SseParser.MAX_EVENT_BYTES + " bytes",
          tokens == 0);
    }
  }

  private void onEnd() {
    lastByteNanos = clock.nanoTime();
    ended = true;
    cancelDeadline();
    if (done) {
      return;
    }
    if (plainJson) {
      onJsonAnswer();
      return;
    }
    if (!parser.finish(events) && !done) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream sent an event over " + SseParser.MAX_EVENT_BYTES + " bytes",
          tokens == 0);
      return;
    }
    if (done) {
      return;
    }
    if (finishReason != null) {
      complete(); // a finished stream without [DONE]: some servers just close
    } else {
      fail(BackendException.Kind.UPSTREAM, replica.id() + ": the stream ended before [DONE]", tokens == 0);
    }
  }

  private void onBroken(Throwable cause) {
    ended = true;
    if (done) {
      cancelDeadline();
      return;
    }
    fail(
        BackendException.Kind.UPSTREAM,
        replica.id() + ": the connection broke after " + tokens + " tokens: " + cause.getMessage(),
        tokens == 0);
  }

  /**
   * The whole answer as one {@code chat.completion} body: its content is one token event, then the
   * finish with the reported usage (or the prompt and the tokens seen when none is reported).
   */
  private void onJsonAnswer() {
    byte[] bytes = jsonBody == null ? new byte[0] : jsonBody.getBytes();
    try {
      reader.read(bytes, 0, bytes.length);
    } catch (ChunkReader.Malformed e) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream sent a malformed JSON answer (" + e.getMessage() + "): "
              + quote(bytes, bytes.length),
          true);
      return;
    }
    if (reader.error) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream failed: " + ChatWire.errorMessage(Buffer.buffer(bytes)), true);
      return;
    }
    if (!reader.message) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream sent a JSON answer without choices[0].message: "
              + quote(bytes, bytes.length),
          true);
      return;
    }
    usage = reader.usage;
    if (takeContent()) {
      complete();
    }
  }

  /** One event's data: a chunk, an error, or {@code [DONE]}; the bytes are the parser's, reused. */
  private void onEvent(byte[] data, int length) {
    if (done) {
      return;
    }
    int start = 0;
    while (start < length && isSpace(data[start])) {
      start++;
    }
    if (start == length) {
      return;
    }
    if (length - start >= 6 && data[start] == '[' && data[start + 1] == 'D' && data[start + 2] == 'O'
        && data[start + 3] == 'N' && data[start + 4] == 'E' && data[start + 5] == ']') {
      complete();
      return;
    }
    try {
      reader.read(data, 0, length);
    } catch (ChunkReader.Malformed e) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream sent a chunk that is not a JSON object (" + e.getMessage() + "): "
              + quote(data, length),
          tokens == 0);
      return;
    }
    if (reader.error) {
      fail(
          BackendException.Kind.UPSTREAM,
          replica.id() + ": upstream failed mid-stream: "
              + ChatWire.errorMessage(Buffer.buffer(Arrays.copyOf(data, length))),
          tokens == 0);
      return;
    }
    if (reader.usage != null) {
      usage = reader.usage; // the last one wins: vLLM's continuous usage stats repeat it on every chunk
    }
    takeContent();
  }

  /**
   * Passes on the reader's content as a token and keeps its finish reason; false when the sink
   * cancelled on the token (the exchange is then over).
   */
  private boolean takeContent() {
    String reason = reader.finishReason;
    if (reader.content != null && !reader.content.isEmpty()) {
      onToken(reader.content, null);
      if (done) {
        return false;
      }
    }
    for (ChunkReader.ToolCallPart part : reader.toolCalls) {
      TokenEvent.ToolCall call = toolCall(part);
      if (call != null && part.arguments() != null && !part.arguments().isEmpty()) {
        onToken(part.arguments(), call);
        if (done) {
          return false;
        }
      }
    }
    if (reason != null) {
      finishReason = ChatWire.finishReason(reason);
    }
    return true;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static String quote(byte[] data, int length) {
    return ChatWire.quote(new String(data, 0, Math.min(length, 4096), StandardCharsets.UTF_8));
  }

  private void onToken(String text, TokenEvent.ToolCall call) {
    long now = clock.nanoTime();
    int index = tokens++;
    if (index == 0) {
      firstTokenNanos = now;
    }
    lastTokenNanos = now;
    sink.accept(new TokenEvent.Token(index, text, now, call));
  }

  /**
   * The call a part belongs to: made from the part that brings its id and name, found by index for
   * the fragments after it; null for a fragment of a call never introduced.
   */
  private TokenEvent.ToolCall toolCall(ChunkReader.ToolCallPart part) {
    if (calls == null) {
      calls = new ArrayList<>(2);
    }
    for (TokenEvent.ToolCall call : calls) {
      if (call.index() == part.index()) {
        return call;
      }
    }
    if (part.name() == null || part.index() < 0) {
      return null;
    }
    TokenEvent.ToolCall call =
        new TokenEvent.ToolCall(
            part.index(), part.id() == null ? "call_" + request.id() + "_" + part.index() : part.id(),
            part.name());
    calls.add(call);
    return call;
  }

  private void complete() {
    done = true;
    if (ended) {
      cancelDeadline();
    }
    long now = clock.nanoTime();
    release();
    Usage reported = usage != null ? usage : new Usage(request.promptTokens(), tokens);
    FinishReason reason =
        finishReason != null
            ? finishReason
            : tokens >= request.maxOutputTokens() ? FinishReason.LENGTH : FinishReason.STOP;
    long service =
        requestSentNanos < 0
            ? -1
            : Math.max(0, (lastByteNanos >= 0 ? lastByteNanos : now) - requestSentNanos - handlingNanos);
    sink.accept(new TokenEvent.Finish(reason, reported, 0, 0, queuedNanos(now), now, service));
  }

  /** Stops the request: resets its HTTP exchange and reports what arrived so far as cancelled. */
  void cancel() {
    if (done) {
      return;
    }
    done = true;
    long now = clock.nanoTime();
    cancelDeadline();
    reset();
    release();
    sink.accept(
        new TokenEvent.Finish(
            FinishReason.CANCELLED, new Usage(request.promptTokens(), tokens), 0, 0, queuedNanos(now), now));
  }

  private void onDeadline() {
    deadline = null;
    if (done) {
      reset(); // finished at [DONE], but the response never ended
      return;
    }
    fail(
        BackendException.Kind.TIMEOUT,
        replica.id() + ": no complete answer within " + (clock.nanoTime() - submittedNanos) / 1_000_000
            + " ms (" + tokens + " tokens)",
        tokens == 0);
  }

  private void fail(BackendException.Kind kind, String message, boolean beforeFirstToken) {
    fail(new BackendException(kind, message), beforeFirstToken);
  }

  private void fail(BackendException error, boolean beforeFirstToken) {
    done = true;
    long now = clock.nanoTime();
    cancelDeadline();
    reset();
    release();
    sink.accept(new TokenEvent.Failure(error, beforeFirstToken, now));
  }

  /** Hands the slot back, with the TTFT and TPOT seen; runs once, before the terminal event. */
  private void release() {
    long ttft = firstTokenNanos >= 0 ? firstTokenNanos - submittedNanos : -1;
    long tpot = tokens >= 2 ? (lastTokenNanos - firstTokenNanos) / (tokens - 1) : -1;
    replica.ended(this, ttft, tpot);
  }

  /** Resets the HTTP exchange if it is still open; one still connecting is reset when it connects. */
  private void reset() {
    if (http != null && !ended) {
      ended = true;
      http.reset();
    }
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  /** Time to the upstream's first byte, or the whole wait when none came. */
  private long queuedNanos(long now) {
    return (firstByteNanos >= 0 ? firstByteNanos : now) - submittedNanos;
  }

  private static final CharSequence JSON_TYPE = HttpHeaders.createOptimized("application/json");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream");
  private static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");

  /** The replica's parsed endpoint and fixed headers, and this request's id. */
  private static RequestOptions requestOptions(UpstreamReplica replica, InferenceRequest request) {
    UpstreamReplica.Target target = replica.target();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.ssl())
            .setURI(target.path())
            .setConnectTimeout(target.connectTimeoutMillis())
            .putHeader(HttpHeaders.CONTENT_TYPE, JSON_TYPE)
            .putHeader(HttpHeaders.ACCEPT, EVENT_STREAM)
            .putHeader(REQUEST_ID, request.id());
    if (target.authorization() != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, target.authorization());
    }
    return options;
  }
}
