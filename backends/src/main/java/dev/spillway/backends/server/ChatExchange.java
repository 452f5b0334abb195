package dev.spillway.backends.server;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.wire.Answer;
import io.vertx.core.http.HttpServerResponse;

/**
 * One chat completion in flight: takes the replica's token events and writes them to the HTTP response,
 * as one {@code chat.completion} body or as SSE chunks.
 *
 * <p>Implementation notes. Nothing is written before the first event, so a failure reported before the
 * first token still gets a status of its own (400 for a request the replica can never serve). A stream's
 * role chunk goes out together with the first token, not at once: vLLM's bench times the first chunk,
 * so an early role chunk would make every TTFT look instant. Once the client has gone the submission is
 * cancelled and later events are dropped. Cancelling happens only from the response's close handler,
 * never from inside {@link #accept}, so the engine is not re-entered while it reports an event.
 *
 * <p>Backpressure: the engine, like a real one, generates at its own pace and cannot pause one sequence,
 * so a slow reader's chunks queue in the connection; the queue is bounded by the request's max output
 * tokens.
 *
 * <p>Confined to the server's context, as the replicas are.
 */
final class ChatExchange implements TokenSink {

  private final HttpServerResponse response;
  private final ChatRequest chat;
  private final ServerMetrics metrics;
  private final String id;
  private final long created;
  /** Null unless streaming. */
  private final ChatCodec.Chunks chunks;
  /** Null when streaming. */
  private final Answer content;
  /** The index of the last tool call streamed, -1 before any. */
  private int lastCall = -1;

  private Submission submission;
  /** The stream's status, headers and role chunk are written. */
  private boolean started;
  private boolean prefillCounted;
  /** A terminal event was handled or the client went away: nothing more is written. */
  private boolean done;

  ChatExchange(
      HttpServerResponse response, ChatRequest chat, ServerMetrics metrics, String id, long created) {
    this.response = response;
    this.chat = chat;
    this.metrics = metrics;
    this.id = id;
    this.created = created;
    this.chunks = chat.stream() ? new ChatCodec.Chunks(id, created, chat.model(), chat.includeUsage()) : null;
    // Sized for a typical answer, not for max_tokens, which a client may set to billions.
    this.content = chat.stream() ? null : new Answer(Math.min(chat.maxOutputTokens(), 1024) * 6);
  }

  /** Submits {@code request} to {@code replica}, cancelling it if the client disconnects first. */
  void submit(Replica replica, InferenceRequest request) {
    response.closeHandler(v -> clientGone());
    submission = replica.submit(request, this);
  }

  private void clientGone() {
    if (!done) {
      done = true;
      if (submission != null) {
        submission.cancel();
      }
    }
  }

  @Override
  public void accept(TokenEvent event) {
    if (event instanceof TokenEvent.Token) {
      onToken((TokenEvent.Token) event);
    } else if (event instanceof TokenEvent.Finish) {
      onFinish((TokenEvent.Finish) event);
    } else {
      onFailure((TokenEvent.Failure) event);
    }
  }

  private void onToken(TokenEvent.Token token) {
    metrics.generated();
    countPrefill();
    if (done || response.closed()) {
      return;
    }
    if (chunks == null) {
      content.add(token);
      return;
    }
    boolean first = token.call() != null && token.call().index() != lastCall;
    if (first) {
      lastCall = token.call().index();
    }
    if (!started) {
      response.write(startStream() + chunks.token(token, first));
    } else {
      response.write(chunks.token(token, first));
    }
  }

  private void onFinish(TokenEvent.Finish finish) {
    FinishReason reason = finish.reason();
    if (reason != FinishReason.CANCELLED) {
      countPrefill();
      metrics.finished(reason);
    }
    if (done) {
      return;
    }
    done = true;
    if (response.closed()) {
      return;
    }
    if (reason == FinishReason.CANCELLED) {
      // Not cancelled by this exchange: the server is shutting down.
      if (started) {
        response.end();
      } else {
        new ApiError(503, ApiError.SERVER_ERROR, "request cancelled: the server is shutting down", null, null)
            .send(response);
      }
      return;
    }
    if (chunks == null) {
      response
          .putHeader("Content-Type", "application/json")
          .end(
              ChatCodec.completion(
                  id, created, chat.model(), content, reason.wireName(), finish.usage()));
      return;
    }
    StringBuilder tail = new StringBuilder(512);
    if (!started) {
      tail.append(startStream()); // stopped before its first token
    }
    tail.append(chunks.finish(reason.wireName()));
    if (chat.includeUsage()) {
      tail.append(chunks.usage(finish.usage()));
    }
    tail.append(ChatCodec.Chunks.DONE);
    // Ending the response ends the chunked body: the Java SDK reads until the stream ends.
    response.end(tail.toString());
  }

  private void onFailure(TokenEvent.Failure failure) {
    if (done) {
      return;
    }
    done = true;
    if (response.closed()) {
      return;
    }
    ApiError error = ApiError.from(failure.error());
    if (started) {
      response.end(ChatCodec.Chunks.error(error));
    } else {
      error.send(response);
    }
  }

  /** Writes the stream's head; returns the role chunk to send with the first content. */
  private String startStream() {
    started = true;
    response
        .setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache");
    return chunks.role();
  }

  private void countPrefill() {
    if (!prefillCounted) {
      prefillCounted = true;
      metrics.prefilled(chat.promptTokens());
    }
  }
}
