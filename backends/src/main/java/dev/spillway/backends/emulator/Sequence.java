package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;

/**
 * One request inside an engine. As in vLLM, progress is two numbers: the tokens the sequence has
 * ({@code prompt + generated}) and the tokens whose KV entries are computed. A step computes some of the
 * difference; when it closes the gap the sequence samples one new token.
 */
final class Sequence {

  final InferenceRequest request;
  final TokenSink sink;
  /** The request's prompt and output limit, kept here: every step reads them for every sequence. */
  final int promptTokens;
  final int maxOutputTokens;
  /** Admission order; FIFO within a tier follows it, and preempted sequences keep theirs. */
  final long order;
  final int tierRank;
  final long submittedNanos;
  final OutputPlan output;
  /** The end of the text so far, for stop sequences to be found across tokens; null without any. */
  private final StringBuilder tail;

  int generated;
  int computed;
  long blocks;
  double costUsd;
  long firstStepNanos = -1;
  int preemptions;
  /** Tokens this sequence computes in the step in flight. */
  int scheduled;
  boolean done;
  /** In the running set (holds KV blocks, scheduled each step). */
  boolean running;
  /** The sink has had its last event; events still in the host's queue are dropped. */
  boolean closed;

  Sequence(
      InferenceRequest request, TokenSink sink, long order, long submittedNanos, OutputPlan output) {
    this.request = request;
    this.sink = sink;
    this.promptTokens = request.promptTokens();
    this.maxOutputTokens = request.maxOutputTokens();
    this.order = order;
    this.tierRank = request.tier().ordinal();
    this.submittedNanos = submittedNanos;
    this.output = output;
    this.tail = request.sampling().stop().isEmpty() ? null : new StringBuilder();
  }

  /** Appends {@code piece} to the text; true when the text now holds one of the stop sequences. */
  boolean stopsAt(String piece) {
    if (tail == null) {
      return false;
    }
    tail.append(piece);
    String text = tail.toString();
    for (String stop : request.sampling().stop()) {
      if (!stop.isEmpty() && text.contains(stop)) {
        return true;
      }
    }
    int keep = 64;
    if (tail.length() > keep) {
      tail.delete(0, tail.length() - keep);
    }
    return false;
  }

  int tokens() {
    return promptTokens + generated;
  }

  /** Tokens still to compute before the next token can be sampled. */
  int remaining() {
    return tokens() - computed;
  }

  boolean prefilling() {
    return computed < promptTokens;
  }

  /** Output tokens still to generate. */
  int remainingOutput() {
    return maxOutputTokens - generated;
  }

  /** Hands {@code event} to the sink unless it has had its last one; a non-token event is the last. */
  void emit(TokenEvent event) {
    if (closed) {
      return;
    }
    if (!(event instanceof TokenEvent.Token)) {
      closed = true;
    }
    sink.accept(event);
  }

  static int compare(Sequence a, Sequence b) {
    int byTier = Integer.compare(a.tierRank, b.tierRank);
    return byTier != 0 ? byTier : Long.compare(a.order, b.order);
  }
}
