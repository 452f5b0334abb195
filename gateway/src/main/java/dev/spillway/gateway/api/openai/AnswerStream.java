package dev.spillway.gateway.api.openai;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;

/**
 * The SSE events of one streamed answer in its endpoint's shape: chat and text completion chunks
 * ({@link StreamChunks}) or the Responses API's typed events ({@link ResponseEvents}). One instance
 * per response, used on the response's thread.
 */
public interface AnswerStream {

  /** The events of a streamed answer to {@code request}. */
  static AnswerStream of(String id, long created, OpenAiRequest request) {
    return request.endpoint() == Endpoint.RESPONSES
        ? new ResponseEvents(id, created, request)
        : new StreamChunks(id, created, request);
  }

  /** What precedes the first token's events; sent with them, never before. */
  String start();

  /** The events of one generated token. */
  String token(TokenEvent.Token token);

  /** Appends one token's events to {@code out}, as {@link #token(TokenEvent.Token)} has them. */
  default void token(TokenEvent.Token token, EventSink out) {
    out.text(token(token));
  }

  /** The events that end the stream, with the facts a plain response sends as headers. */
  String end(FinishReason reason, Usage usage, SpillwayFacts facts);

  /** An error after the stream started: the only way to report one once the status is 200. */
  String error(OpenAiError error);
}
