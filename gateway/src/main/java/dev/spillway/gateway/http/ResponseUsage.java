package dev.spillway.gateway.http;

import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.core.GatewayListener.Binding;
import dev.spillway.gateway.core.GatewayRequest;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.ledger.UsageRecord;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One response's usage, whatever its protocol: the record the ledger keeps of it, the wait for that
 * record to be durable before the response's last write, and the gateway's own time in it. The
 * OpenAI and Bedrock exchanges differ in every write; this is what they share. On the response's
 * event loop.
 */
final class ResponseUsage {

  private static final Logger log = LoggerFactory.getLogger(ResponseUsage.class);

  private final GatewayRequest request;
  private final String model;
  private final String tag;
  private final Ledger ledger;
  private final ContextExecutor home;
  private final Exchange.Overhead overhead;
  private final LongSupplier currentTimeMillis;

  /**
   * @param model the configured model the request resolved to
   * @param tag the cost-allocation tag the record carries; null for none
   */
  ResponseUsage(
      GatewayRequest request, String model, String tag, Ledger ledger, ContextExecutor home,
      Exchange.Overhead overhead, LongSupplier currentTimeMillis) {
    this.request = request;
    this.model = model;
    this.tag = tag;
    this.ledger = ledger;
    this.home = home;
    this.overhead = overhead;
    this.currentTimeMillis = currentTimeMillis;
  }

  /**
   * The record of a request that ended with {@code outcome} and {@code status}: what the backend did
   * ({@code finish}, or null with the {@code tokens} seen so far) where it ran ({@code binding}, or
   * null when it never left the queue).
   */
  UsageRecord of(
      UsageRecord.Outcome outcome, int status, TokenEvent.Finish finish, Binding binding, long tokens,
      long firstTokenNanos) {
    long arrival = overhead.arrivalNanos();
    int promptTokens =
        finish != null && finish.usage().promptTokens() > 0
            ? finish.usage().promptTokens()
            : request.promptTokens();
    return new UsageRecord(
        request.id(),
        request.tenant(),
        request.keyId().isEmpty() ? null : request.keyId(),
        model,
        binding == null ? null : binding.pool(),
        binding == null ? null : binding.replica(),
        request.tier().wireName(),
        promptTokens,
        finish != null ? finish.usage().completionTokens() : (int) tokens,
        firstTokenNanos < 0 ? OptionalDouble.empty() : OptionalDouble.of((firstTokenNanos - arrival) / 1e6),
        (overhead.nanoTime().getAsLong() - arrival) / 1e6,
        finish != null ? finish.costUsd() : 0,
        finish != null ? finish.priceUsd() : 0,
        outcome,
        status,
        Instant.ofEpochMilli(currentTimeMillis.getAsLong()),
        binding != null && binding.cached(),
        tag);
  }

  /** Records {@code usage} with no response waiting on it (the client is gone). */
  void record(UsageRecord usage) {
    ledger
        .append(usage)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                log.warn("ledger: usage of {} not recorded: {}", usage.requestId(), e.toString());
              }
            });
  }

  /**
   * Runs {@code release} on the response's loop once {@code usage} is durable ({@code true}), or
   * could not be recorded ({@code false}); not at all if the client has gone meanwhile.
   */
  void afterRecord(UsageRecord usage, HttpServerResponse response, Consumer<Boolean> release) {
    CompletableFuture<Void> durable = ledger.append(usage);
    if (durable.isDone()) { // a disabled ledger, or a refusal: no hop
      release.accept(!durable.isCompletedExceptionally());
      return;
    }
    durable.whenComplete(
        (v, e) ->
            home.execute(
                () -> {
                  if (e != null) {
                    log.warn("ledger: usage of {} not recorded: {}", usage.requestId(), e.toString());
                  }
                  if (!response.closed()) {
                    release.accept(e == null);
                  }
                }));
  }

  /**
   * Records {@code usage} and, if the client is still there, runs {@code end} on the response's loop
   * once the record is durable or could not be made: the end of a request that failed or was
   * cancelled, whose answer is an error either way.
   */
  void recordThen(UsageRecord usage, HttpServerResponse response, Runnable end) {
    if (response.closed()) {
      record(usage);
      return;
    }
    afterRecord(usage, response, recorded -> end.run());
  }

  /** The answer when a request's usage could not be recorded: its response is withheld. */
  static OpenAiError ledgerUnavailable() {
    return new OpenAiError(
        503, OpenAiError.SERVER_ERROR,
        "usage ledger: the request's usage could not be recorded, so its response is withheld", null,
        "service_unavailable", Optional.of(Duration.ofSeconds(1)));
  }

  /**
   * Records the gateway's own time in a finished request: the whole exchange less the backend's own
   * service time where it reports one (an upstream: its request's last byte sent to its response's
   * last byte), else less the time from binding to the backend's finish (an in-process engine).
   */
  void recordOverhead(Binding binding, long admittedNanos, TokenEvent.Finish finish) {
    if (binding == null) {
      return;
    }
    long now = overhead.nanoTime().getAsLong();
    long bound = admittedNanos + binding.queuedNanos();
    long inBackend =
        finish.serviceNanos() >= 0 ? finish.serviceNanos() : Math.max(0, finish.atNanos() - bound);
    long outside = Math.max(0, now - overhead.arrivalNanos() - inBackend);
    overhead.metrics().gatewayOverhead(model, outside);
  }
}
