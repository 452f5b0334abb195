package dev.spillway.gateway.api.openai;

/**
 * Where a streamed answer's events go, piece by piece: bytes already encoded as UTF-8, or text still
 * to encode. Lets a stream write a token's event around the token's text without building the event's
 * text first (see {@link AnswerStream#token(dev.spillway.backends.spi.TokenEvent.Token, EventSink)}).
 */
public interface EventSink {

  /** Appends {@code utf8}, which the sink must not change. */
  void bytes(byte[] utf8);

  /** Appends {@code text}, encoded as UTF-8. */
  void text(String text);
}
