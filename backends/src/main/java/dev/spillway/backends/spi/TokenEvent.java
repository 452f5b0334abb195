package dev.spillway.backends.spi;

import static java.util.Objects.requireNonNull;

/**
 * What a replica reports about one request, in order: tokens (the first has index 0), then exactly one
 * {@link Finish} or {@link Failure}. Nothing follows the terminal event.
 */
public sealed interface TokenEvent permits TokenEvent.Token, TokenEvent.Finish, TokenEvent.Failure {

  /** Clock time of the event, in nanoseconds. */
  long atNanos();

  /**
   * One generated token.
   *
   * @param index 0 for the first token of the response
   * @param text the token's text, exactly as it appears in the output
   * @param call the tool call whose arguments the text belongs to; null for the answer's content
   */
  record Token(int index, String text, long atNanos, ToolCall call) implements TokenEvent {
    public Token {
      requireNonNull(text, "text");
    }

    /** A token of the answer's content. */
    public Token(int index, String text, long atNanos) {
      this(index, text, atNanos, null);
    }

    /** The same token at another time. */
    public Token at(long newAtNanos) {
      return new Token(index, text, newAtNanos, call);
    }

    public boolean isFirst() {
      return index == 0;
    }
  }

  /**
   * One call of a function in an answer; every token of its arguments carries the same instance.
   *
   * @param index the call's place among the answer's calls, from 0
   * @param id the call's id, which the tool's result names ({@code call_…})
   * @param name the function called
   */
  record ToolCall(int index, String id, String name) {
    public ToolCall {
      requireNonNull(id, "id");
      requireNonNull(name, "name");
      if (index < 0) {
        throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
      }
    }
  }

  /**
   * Generation ended normally.
   *
   * @param costUsd what serving the request cost the operator: its token share of each step's instance
   *     time
   * @param priceUsd what the tenant is billed at the model's list price for its tier
   * @param queuedNanos time from submission to the first step that worked on the request
   * @param serviceNanos the time the backend itself took, where it can tell it apart from the host's:
   *     for an upstream, from its request's last byte sent to its response's last byte received, less
   *     the time the host spent meanwhile on what had arrived (parsing a stream's events, passing them on);
   *     -1 when not measured (an in-process engine, whose every moment is the backend's)
   */
  record Finish(
      FinishReason reason, Usage usage, double costUsd, double priceUsd, long queuedNanos, long atNanos,
      long serviceNanos)
      implements TokenEvent {
    public Finish {
      requireNonNull(reason, "reason");
      requireNonNull(usage, "usage");
    }

    /** Without a service time of its own. */
    public Finish(
        FinishReason reason, Usage usage, double costUsd, double priceUsd, long queuedNanos,
        long atNanos) {
      this(reason, usage, costUsd, priceUsd, queuedNanos, atNanos, -1);
    }
  }

  /** Generation failed; {@code beforeFirstToken} tells the gateway whether a retry is still invisible. */
  record Failure(BackendException error, boolean beforeFirstToken, long atNanos) implements TokenEvent {
    public Failure {
      requireNonNull(error, "error");
    }
  }
}
