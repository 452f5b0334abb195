package dev.spillway.gateway.http;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.backends.wire.Answer;
import dev.spillway.gateway.api.openai.AnswerStream;
import dev.spillway.gateway.api.openai.Endpoint;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.api.openai.OpenAiRequest;
import dev.spillway.gateway.api.openai.OpenAiResponses;
import dev.spillway.gateway.api.openai.ResponseObjects;
import dev.spillway.gateway.api.openai.SpillwayFacts;
import dev.spillway.gateway.core.Admission;
import dev.spillway.gateway.core.CacheLookup;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.core.GatewayListener;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.ledger.UsageRecord;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.gateway.tenancy.Ticket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * One OpenAI request in flight: listens to the core and writes the HTTP response, as one body or as
 * SSE events in its endpoint's shape ({@link AnswerStream}: chat and completion chunks, or the
 * Responses API's typed events); a whole answer's content and tool calls are collected in an
 * {@link Answer}.
 *
 * <p>Implementation notes. Invariant: nothing is written before the first token (or the end), so a
 * failure reported before it still gets a status of its own, and a stream's status, headers and role
 * chunk go out together with the first token, never earlier (vLLM's bench takes TTFT from the first
 * chunk). After the first token an error can only be an in-stream {@code data: {"error":…}} event,
 * followed by the end of the body, never a clean close. {@code done} turns true exactly once, on the
 * terminal event or when the client goes away; nothing is written after it. A client that goes away
 * cancels its {@link Admission}; cancelling happens from the close handler, never from inside a
 * listener callback, so the core is not re-entered while it reports an event.
 *
 * <p>Writes are coalesced ({@link TaskWrites}): tokens that arrive in one task of the loop (one engine
 * step's batch, one read of an upstream's stream that held many events) are appended to one buffer,
 * written and flushed once when that task is over — one write and one syscall, not one per token.
 *
 * <p>Backpressure: the response's write queue is allowed to grow past its high-water mark rather than
 * block or drop: Vert.x buffers the chunks, and the buffer is bounded by the request's output budget.
 * The core paces tokens at the replica's decode rate anyway, which no reader worth serving falls behind.
 *
 * <p>Accounting: the request's {@link Ticket} (its tenant's reservation) settles to the finish's usage,
 * or ends early with the tokens generated so far when the request fails, is refused or its client
 * leaves; the ticket counts only the first of these.
 *
 * <p>Usage. Every request that was bound to a replica, and every request its client cancelled, gets
 * one {@link UsageRecord} in the {@link Ledger}. A bound request's last write — the whole body, the
 * stream's final chunk with {@code [DONE]}, or its error — waits until its record is durable, so a
 * client never holds a complete response whose usage a crash could lose; the ledger acknowledges on
 * its own thread and the write then runs back on this loop. A record the ledger cannot take fails the
 * response (503, or an in-stream error) rather than release it unrecorded.
 *
 * <p>Confined to its connection's event loop: the core calls it through {@link #executor()}.
 */
final class Exchange implements GatewayListener {

  // Header names made once: Vert.x then neither validates nor encodes them per response.
  static final CharSequence POOL = HttpHeaders.createOptimized("x-spillway-pool");
  static final CharSequence ATTEMPTS = HttpHeaders.createOptimized("x-spillway-attempts");
  static final CharSequence REPLICA = HttpHeaders.createOptimized("x-spillway-replica");
  static final CharSequence COST = HttpHeaders.createOptimized("x-spillway-cost-usd");
  static final CharSequence PRICE = HttpHeaders.createOptimized("x-spillway-price-usd");
  static final CharSequence QUEUE_MS = HttpHeaders.createOptimized("x-spillway-queue-ms");
  static final CharSequence CACHE = HttpHeaders.createOptimized("x-spillway-cache");
  private static final CharSequence HIT = HttpHeaders.createOptimized(CacheLookup.HIT.wireName());
  private static final CharSequence MISS = HttpHeaders.createOptimized(CacheLookup.MISS.wireName());
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("cache-control");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  /** What a request whose client went away is recorded with (nginx's "client closed request"). */
  static final int CLIENT_CLOSED = 499;

  private final HttpServerResponse response;
  private final OpenAiRequest request;
  private final String id;
  private final long created;
  /** Null unless streaming. */
  private final AnswerStream chunks;
  /** Null when streaming or for embeddings. */
  private final Answer content;

  private final ContextExecutor home;
  private final Overhead overhead;
  private final Ticket ticket;
  /** The request's usage record, and the wait for it before the last write. */
  private final ResponseUsage recording;
  /** Wall time, for the usage record. */
  /** SSE bytes not yet written: the tokens of the current task of the loop. */
  private final TaskWrites writes;

  private Admission admission;
  private Binding binding;
  private long admittedNanos;
  /** The stream's status and headers are written. */
  private boolean started;
  /** A terminal event was handled or the client went away. */
  private boolean done;
  /** Tokens the core generated for this request so far, whether or not the client still reads. */
  private long tokens;
  /** When the first of them did, on {@code nanoTime}'s scale; -1 before. */
  private long firstTokenNanos = -1;

  /**
   * Records the gateway's own time per request: from arrival to binding (parse, tokenise, hand-over,
   * admission, any queue wait) plus from the backend's last event to the response's end.
   *
   * @param arrivalNanos when the request's head arrived, on {@code nanoTime}'s scale
   */
  record Overhead(GatewayMetrics metrics, LongSupplier nanoTime, long arrivalNanos) {}

  Exchange(
      HttpServerResponse response, OpenAiRequest request, String id, long created,
      ContextExecutor home, Overhead overhead, Ticket ticket, Ledger ledger,
      LongSupplier currentTimeMillis) {
    this.ticket = ticket;
    this.response = response;
    this.home = home;
    this.writes = new TaskWrites(response, home.context(), () -> !done && !response.closed());
    this.overhead = overhead;
    this.recording =
        new ResponseUsage(request.core(), request.model().name(), null, ledger, home, overhead, currentTimeMillis);
    this.request = request;
    this.id = id;
    this.created = created;
    boolean embeddings = request.endpoint() == Endpoint.EMBEDDINGS;
    this.chunks = request.stream() && !embeddings ? AnswerStream.of(id, created, request) : null;
    // Sized for a short answer, not for max_tokens, which may be large: a longer one grows it.
    this.content =
        chunks == null && !embeddings
            ? new Answer(Math.min(request.core().maxOutputTokens(), 64) * 4)
            : null;
  }

  @Override
  public Executor executor() {
    return home;
  }

  /** Submits the request to the core; a client that leaves before the end cancels it. */
  void submit(Gateway gateway) {
    if (response.closed()) {
      ticket.endedEarly(0);
      return; // gone while its body was read
    }
    response.closeHandler(v -> clientGone());
    admittedNanos = overhead.nanoTime().getAsLong();
    admission = gateway.submit(request.core(), this);
  }

  /**
   * The gateway is shutting down and waits no longer for this request. A bound one is cancelled in
   * the core, whose cancelled finish then ends it like any other the gateway cancels: recorded as
   * cancelled with what the backend did, and answered with a 503 or, in a stream, an error event.
   * One not bound yet ends here, recorded as cancelled, with the same answer.
   */
  void shutdown() {
    if (done) {
      return;
    }
    if (binding != null) {
      admission.cancel();
      return;
    }
    done = true;
    ticket.endedEarly(tokens);
    if (admission != null) {
      admission.cancel();
    }
    recording.recordThen(
        usage(UsageRecord.Outcome.CANCELLED, 503, null), response, () -> fail(shuttingDown()));
  }

  /** What a request the gateway will not serve because it is shutting down is answered with. */
  static OpenAiError shuttingDown() {
    return new OpenAiError(
        503, OpenAiError.SERVER_ERROR, "request cancelled: the gateway is shutting down", null,
        "service_unavailable", Optional.of(Duration.ofSeconds(1)));
  }

  private void clientGone() {
    if (!done) {
      done = true;
      ticket.endedEarly(tokens);
      if (admission != null) {
        admission.cancel();
      }
      recording.record(usage(UsageRecord.Outcome.CANCELLED, CLIENT_CLOSED, null));
    }
  }

  @Override
  public void onBound(Binding binding) {
    if (tokens > 0) {
      // A retry after an attempt that failed midway, unseen: its text is void.
      tokens = 0;
      firstTokenNanos = -1;
      if (content != null) {
        content.clear();
      }
    }
    this.binding = binding;
  }

  /** A stream has sent its tokens on; a whole answer sends nothing before its end. */
  @Override
  public boolean committed() {
    return chunks != null;
  }

  @Override
  public void onToken(TokenEvent.Token token) {
    if (tokens++ == 0) {
      firstTokenNanos = overhead.nanoTime().getAsLong();
    }
    if (done || response.closed()) {
      return;
    }
    if (chunks != null) {
      // Appended to this task's buffer, written after the rest of this task's tokens.
      if (!started) {
        writes.text(startStream());
      }
      chunks.token(token, writes);
    } else if (content != null) {
      content.add(token);
    }
  }

  @Override
  public void onFinish(TokenEvent.Finish finish, Binding binding) {
    if (finish.reason() == FinishReason.CANCELLED) {
      ticket.endedEarly(tokens);
    } else {
      ticket.finished(finish.usage(), finish.priceUsd());
    }
    if (done) {
      return;
    }
    done = true;
    this.binding = binding;
    if (response.closed()) {
      // The client went away before this finish: what the backend did is recorded all the same.
      recording.record(usage(UsageRecord.Outcome.CANCELLED, CLIENT_CLOSED, finish));
      return;
    }
    if (finish.reason() == FinishReason.CANCELLED) {
      // Not cancelled by its client, so by the gateway: it is shutting down.
      recording.afterRecord(usage(UsageRecord.Outcome.CANCELLED, 503, finish), response, recorded -> fail(shuttingDown()));
      return;
    }
    UsageRecord usage = usage(UsageRecord.Outcome.SUCCESS, 200, finish);
    SpillwayFacts facts = SpillwayFacts.of(binding, finish);
    if (chunks != null) {
      Buffer last = writes.take();
      if (!started) {
        last.appendString(startStream()); // finished before any token
      }
      last.appendString(chunks.end(finish.reason(), finish.usage(), facts));
      recording.afterRecord(
          usage, response,
          recorded -> {
            if (recorded) {
              // Ending the response ends the chunked body: the Java SDK reads until the body ends.
              response.end(last);
              recording.recordOverhead(binding, admittedNanos, finish);
            } else {
              fail(ResponseUsage.ledgerUnavailable());
            }
          });
      return;
    }
    String body;
    switch (request.endpoint()) {
      case CHAT_COMPLETIONS:
        body =
            OpenAiResponses.chatCompletion(
                id, created, request.core().model(), content, finish.reason(),
                finish.usage(), request.core().tier());
        break;
      case RESPONSES:
        body = ResponseObjects.response(id, created, request, content, finish.reason(), finish.usage());
        break;
      case COMPLETIONS:
        body =
            OpenAiResponses.textCompletion(
                id, created, request.core().model(), content.content(), finish.reason(), finish.usage());
        break;
      case EMBEDDINGS:
      default:
        int promptTokens = finish.usage().promptTokens();
        body =
            OpenAiResponses.embeddings(
                request, promptTokens > 0 ? promptTokens : request.core().promptTokens());
        break;
    }
    recording.afterRecord(
        usage, response,
        recorded -> {
          if (!recorded) {
            fail(ResponseUsage.ledgerUnavailable());
            return;
          }
          response
              .putHeader(POOL, facts.pool())
              .putHeader(REPLICA, facts.replica())
              .putHeader(ATTEMPTS, Integer.toString(binding.attempts()))
              .putHeader(COST, facts.costText())
              .putHeader(PRICE, facts.priceText())
              .putHeader(QUEUE_MS, facts.queueMsText())
              .putHeader(HttpApi.CONTENT_TYPE, HttpApi.JSON);
          cacheHeader(binding);
          response.end(body);
          recording.recordOverhead(binding, admittedNanos, finish);
        });
  }

  @Override
  public void onError(GatewayError error) {
    ticket.endedEarly(tokens);
    if (done) {
      return;
    }
    done = true;
    OpenAiError failure = OpenAiError.from(error);
    if (binding == null) {
      // Refused or timed out in the gateway's queue: no replica did any work, nothing to record.
      if (!response.closed()) {
        fail(failure);
      }
      return;
    }
    recording.recordThen(
        usage(UsageRecord.Outcome.ERROR, failure.status(), null), response, () -> fail(failure));
  }

  private void fail(OpenAiError error) {
    if (started) {
      response.end(writes.take().appendString(chunks.error(error)));
    } else {
      HttpErrors.send(response, error);
    }
  }

  /**
   * Writes the stream's head; returns what precedes the first content (the role chunk). The pool,
   * replica and queue time are known by now and go out as headers; cost and price follow in the
   * last chunk.
   */
  private String startStream() {
    started = true;
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpApi.CONTENT_TYPE, HttpApi.EVENT_STREAM_TYPE)
        .putHeader(CACHE_CONTROL, NO_CACHE);
    if (binding != null) {
      response
          .putHeader(POOL, binding.pool())
          .putHeader(REPLICA, binding.replica())
          .putHeader(ATTEMPTS, Integer.toString(binding.attempts()))
          .putHeader(QUEUE_MS, SpillwayFacts.queueMsText(binding.queuedNanos() / 1e6));
      cacheHeader(binding);
    }
    return chunks.start();
  }

  /** {@code x-spillway-cache: hit} or {@code miss} when the model's response cache was consulted. */
  private void cacheHeader(Binding binding) {
    if (binding.cache() == CacheLookup.HIT) {
      response.putHeader(CACHE, HIT);
    } else if (binding.cache() == CacheLookup.MISS) {
      response.putHeader(CACHE, MISS);
    }
  }

  private UsageRecord usage(UsageRecord.Outcome outcome, int status, TokenEvent.Finish finish) {
    return recording.of(outcome, status, finish, binding, tokens, firstTokenNanos);
  }
}
