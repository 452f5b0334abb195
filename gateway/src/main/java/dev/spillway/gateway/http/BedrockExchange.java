package dev.spillway.gateway.http;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.api.bedrock.BedrockError;
import dev.spillway.gateway.api.bedrock.BedrockRequest;
import dev.spillway.gateway.api.bedrock.BedrockResponses;
import dev.spillway.gateway.api.bedrock.BedrockStream;
import dev.spillway.gateway.api.bedrock.ProfileRouter;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.api.openai.SpillwayFacts;
import dev.spillway.gateway.core.Admission;
import dev.spillway.gateway.core.CacheLookup;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.core.GatewayListener;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.ledger.UsageRecord;
import dev.spillway.gateway.tenancy.Ticket;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * One Bedrock request in flight: listens to the core and writes the answer, as one JSON body or as
 * event-stream frames.
 *
 * <p>Implementation notes. The invariants are {@link Exchange}'s, which this mirrors for Bedrock's
 * wire: nothing is written before the first token (or the end), so a failure before it still gets
 * its own status and {@code x-amzn-ErrorType}; after it, an error can only be an exception frame,
 * followed by the end of the body. {@code done} turns true exactly once. Frames of the tokens one
 * task of the loop delivers are written and flushed once, when that task is over. The tenant's
 * {@link Ticket} settles or ends early once; every bound or cancelled request gets one
 * {@link UsageRecord}, and a bound request's last write waits until its record is durable.
 *
 * <p>Kept apart from {@link Exchange} rather than sharing a base: the two differ in every write.
 * What they share — the usage record, the wait for it to be durable, the overhead metric — is
 * {@link ResponseUsage}'s (decisions.md).
 *
 * <p>Confined to its connection's event loop: the core calls it through {@link #executor()}.
 */
final class BedrockExchange implements GatewayListener {

  static final CharSequence INPUT_TOKENS = HttpHeaders.createOptimized("X-Amzn-Bedrock-Input-Token-Count");
  static final CharSequence OUTPUT_TOKENS = HttpHeaders.createOptimized("X-Amzn-Bedrock-Output-Token-Count");
  static final CharSequence INVOCATION_LATENCY = HttpHeaders.createOptimized("X-Amzn-Bedrock-Invocation-Latency");
  static final CharSequence MODEL_CONTENT_TYPE = HttpHeaders.createOptimized("X-Amzn-Bedrock-Content-Type");
  static final CharSequence SERVICE_TIER = HttpHeaders.createOptimized("X-Amzn-Bedrock-Service-Tier");
  static final CharSequence LATENCY = HttpHeaders.createOptimized("X-Amzn-Bedrock-PerformanceConfig-Latency");
  /** The region of the pool that served the request, when its configuration names one. */
  static final CharSequence REGION = HttpHeaders.createOptimized("x-spillway-region");
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized(BedrockStream.CONTENT_TYPE);

  private final HttpServerResponse response;
  private final BedrockRequest request;
  private final ContextExecutor home;
  private final Exchange.Overhead overhead;
  private final Ticket ticket;
  /** The request's usage record, and the wait for it before the last write. */
  private final ResponseUsage recording;
  /** Names the region of the pool that served the request. */
  private final ProfileRouter profiles;
  /** Null unless streaming. */
  private final BedrockStream stream;
  /** Null when streaming. */
  private final StringBuilder content;
  /** Frames not yet written: those of the current task of the loop. */
  private final TaskWrites writes;

  private Admission admission;
  private Binding binding;
  private long admittedNanos;
  private boolean started;
  private boolean done;
  private long tokens;
  private long firstTokenNanos = -1;

  BedrockExchange(
      HttpServerResponse response, BedrockRequest request, ContextExecutor home,
      Exchange.Overhead overhead, Ticket ticket, Ledger ledger, LongSupplier currentTimeMillis,
      ProfileRouter profiles, String tag) {
    this.profiles = profiles;
    this.response = response;
    this.request = request;
    this.home = home;
    this.writes = new TaskWrites(response, home.context(), () -> !done && !response.closed());
    this.overhead = overhead;
    this.ticket = ticket;
    this.recording =
        new ResponseUsage(request.core(), request.model().name(), tag, ledger, home, overhead, currentTimeMillis);
    this.stream = request.operation().stream() ? new BedrockStream(request) : null;
    this.content =
        stream == null ? new StringBuilder(Math.min(request.core().maxOutputTokens(), 1024) * 4) : null;
  }

  @Override
  public Executor executor() {
    return home;
  }

  /** Submits the request to the core; a client that leaves before the end cancels it. */
  void submit(Gateway gateway) {
    if (response.closed()) {
      ticket.endedEarly(0);
      return;
    }
    response.closeHandler(v -> clientGone());
    admittedNanos = overhead.nanoTime().getAsLong();
    admission = gateway.submit(request.core(), this);
  }

  /** The gateway is shutting down: as {@link Exchange#shutdown()}. */
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
        usage(UsageRecord.Outcome.CANCELLED, 503, null), response,
        () -> fail(BedrockError.from(Exchange.shuttingDown())));
  }

  private void clientGone() {
    if (!done) {
      done = true;
      ticket.endedEarly(tokens);
      if (admission != null) {
        admission.cancel();
      }
      recording.record(usage(UsageRecord.Outcome.CANCELLED, Exchange.CLIENT_CLOSED, null));
    }
  }

  @Override
  public void onBound(Binding binding) {
    if (tokens > 0) {
      // A retry after an attempt that failed midway, unseen: its text is void.
      tokens = 0;
      firstTokenNanos = -1;
      if (content != null) {
        content.setLength(0);
      }
    }
    this.binding = binding;
  }

  /** A stream has sent its frames on; a whole answer sends nothing before its end. */
  @Override
  public boolean committed() {
    return stream != null;
  }

  @Override
  public void onToken(TokenEvent.Token token) {
    if (tokens++ == 0) {
      firstTokenNanos = overhead.nanoTime().getAsLong();
    }
    if (done || response.closed()) {
      return;
    }
    if (stream == null) {
      content.append(token.text());
      return;
    }
    Buffer out = writes.buffer();
    if (!started) {
      out.appendBytes(startStream());
    }
    out.appendBytes(stream.token(token.text()));
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
      recording.record(usage(UsageRecord.Outcome.CANCELLED, Exchange.CLIENT_CLOSED, finish));
      return;
    }
    if (finish.reason() == FinishReason.CANCELLED) {
      recording.afterRecord(
          usage(UsageRecord.Outcome.CANCELLED, 503, finish), response,
          recorded -> fail(BedrockError.from(Exchange.shuttingDown())));
      return;
    }
    UsageRecord usage = usage(UsageRecord.Outcome.SUCCESS, 200, finish);
    long latencyMs = millisSinceArrival(overhead.nanoTime().getAsLong());
    if (stream != null) {
      Buffer last = writes.take();
      if (!started) {
        last.appendBytes(startStream());
      }
      long firstByteMs = firstTokenNanos < 0 ? latencyMs : millisSinceArrival(firstTokenNanos);
      last.appendBytes(stream.end(finish.reason(), finish.usage(), latencyMs, firstByteMs));
      recording.afterRecord(
          usage, response,
          recorded -> {
            if (recorded) {
              response.end(last);
              recording.recordOverhead(binding, admittedNanos, finish);
            } else {
              fail(BedrockError.from(ResponseUsage.ledgerUnavailable()));
            }
          });
      return;
    }
    String body =
        request.operation().invoke()
            ? BedrockResponses.llama(content.toString(), finish.reason(), finish.usage())
            : BedrockResponses.converse(request, content.toString(), finish.reason(), finish.usage(), latencyMs);
    SpillwayFacts facts = SpillwayFacts.of(binding, finish);
    recording.afterRecord(
        usage, response,
        recorded -> {
          if (!recorded) {
            fail(BedrockError.from(ResponseUsage.ledgerUnavailable()));
            return;
          }
          response
              .putHeader(Exchange.POOL, facts.pool())
              .putHeader(Exchange.REPLICA, facts.replica())
              .putHeader(Exchange.ATTEMPTS, Integer.toString(binding.attempts()))
              .putHeader(Exchange.COST, facts.costText())
              .putHeader(Exchange.PRICE, facts.priceText())
              .putHeader(Exchange.QUEUE_MS, facts.queueMsText())
              .putHeader(INPUT_TOKENS, Integer.toString(finish.usage().promptTokens()))
              .putHeader(OUTPUT_TOKENS, Integer.toString(finish.usage().completionTokens()))
              .putHeader(INVOCATION_LATENCY, Long.toString(latencyMs))
              .putHeader(HttpApi.CONTENT_TYPE, HttpApi.JSON);
          profiles.region(facts.pool()).ifPresent(r -> response.putHeader(REGION, r));
          tierHeaders();
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
    OpenAiError openAi = OpenAiError.from(error);
    BedrockError failure = BedrockError.from(openAi);
    if (binding == null) {
      if (!response.closed()) {
        fail(failure);
      }
      return;
    }
    recording.recordThen(
        usage(UsageRecord.Outcome.ERROR, failure.status(), null), response, () -> fail(failure));
  }

  private long millisSinceArrival(long nanos) {
    return Math.max(0, (nanos - overhead.arrivalNanos()) / 1_000_000);
  }

  private void fail(BedrockError error) {
    if (started) {
      response.end(writes.take().appendBytes(error.frame().encode()));
    } else {
      BedrockErrors.send(response, error);
    }
  }

  private byte[] startStream() {
    started = true;
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpApi.CONTENT_TYPE, EVENT_STREAM);
    if (request.operation().invoke()) {
      response.putHeader(MODEL_CONTENT_TYPE, HttpApi.JSON);
    }
    tierHeaders();
    if (binding != null) {
      response
          .putHeader(Exchange.POOL, binding.pool())
          .putHeader(Exchange.REPLICA, binding.replica())
          .putHeader(Exchange.ATTEMPTS, Integer.toString(binding.attempts()))
          .putHeader(Exchange.QUEUE_MS, SpillwayFacts.queueMsText(binding.queuedNanos() / 1e6));
      profiles.region(binding.pool()).ifPresent(r -> response.putHeader(REGION, r));
      cacheHeader(binding);
    }
    return stream.start();
  }

  /** InvokeModel's answer names the tier and latency it was served with, as its request did. */
  private void tierHeaders() {
    if (request.operation().invoke()) {
      request.serviceTier().ifPresent(t -> response.putHeader(SERVICE_TIER, t));
      request.latency().ifPresent(l -> response.putHeader(LATENCY, l));
    }
  }

  private void cacheHeader(Binding binding) {
    if (binding.cache() == CacheLookup.HIT) {
      response.putHeader(Exchange.CACHE, CacheLookup.HIT.wireName());
    } else if (binding.cache() == CacheLookup.MISS) {
      response.putHeader(Exchange.CACHE, CacheLookup.MISS.wireName());
    }
  }

  private UsageRecord usage(UsageRecord.Outcome outcome, int status, TokenEvent.Finish finish) {
    return recording.of(outcome, status, finish, binding, tokens, firstTokenNanos);
  }
}
