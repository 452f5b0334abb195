package dev.spillway.gateway.core;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import java.util.Arrays;

/**
 * A complete answer as the response cache holds it: its tokens (one string and where each token
 * ends, so an answer costs its text and four bytes a token), how it finished, its usage, and the pool
 * and replica that produced it.
 */
final class CachedAnswer {

  private final String pool;
  private final String replica;
  private final String text;
  private final int[] ends;
  private final FinishReason reason;
  private final Usage usage;

  private CachedAnswer(
      String pool, String replica, String text, int[] ends, FinishReason reason, Usage usage) {
    this.pool = pool;
    this.replica = replica;
    this.text = text;
    this.ends = ends;
    this.reason = reason;
    this.usage = usage;
  }

  String pool() {
    return pool;
  }

  String replica() {
    return replica;
  }

  int tokens() {
    return ends.length;
  }

  /** The text of token {@code index}, exactly as it was generated. */
  String token(int index) {
    return text.substring(index == 0 ? 0 : ends[index - 1], ends[index]);
  }

  FinishReason reason() {
    return reason;
  }

  Usage usage() {
    return usage;
  }

  /**
   * Collects one answer's tokens as a replica streams them, on the request's home thread; only a
   * complete, successful answer becomes a {@link CachedAnswer}.
   */
  static final class Recorder {
    private final StringBuilder text = new StringBuilder();
    private int[] ends = new int[16];
    private int tokens;

    void token(TokenEvent.Token token) {
      text.append(token.text());
      if (tokens == ends.length) {
        ends = Arrays.copyOf(ends, tokens * 2);
      }
      ends[tokens++] = text.length();
    }

    /**
     * The answer, if {@code finish} ended it normally (a stop sequence or the output budget); else
     * null: a cancelled answer is never stored (nor is a failed one, which has no finish).
     */
    CachedAnswer finish(String pool, String replica, TokenEvent.Finish finish) {
      requireNonNull(pool, "pool");
      requireNonNull(replica, "replica");
      if (finish.reason() != FinishReason.STOP && finish.reason() != FinishReason.LENGTH) {
        return null;
      }
      return new CachedAnswer(
          pool, replica, text.toString(), Arrays.copyOf(ends, tokens), finish.reason(),
          finish.usage());
    }
  }
}
