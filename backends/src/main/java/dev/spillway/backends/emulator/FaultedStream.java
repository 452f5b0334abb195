package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import java.util.ArrayDeque;

/**
 * One request's events on their way from the engine to the client, under the faults drawn for it:
 * held back ({@code shift} nanoseconds later than the engine emitted them: a latency spike or slow
 * start from the first token on, a stall added at one token), cut with an error at one token, or
 * failed by a crash.
 *
 * <p>Events keep their order: one that is due later waits in {@code held}, and so does every event
 * after it. Each event's time is the moment it is delivered. Runs on the clock.
 */
final class FaultedStream implements TokenSink {

  private final FaultInjector injector;
  private final TokenSink sink;
  private final int stallAt;
  private final long stallNanos;
  private final int disconnectAt;
  private final ArrayDeque<TokenEvent> held = new ArrayDeque<>();
  private Submission submission;
  private long shift;
  private boolean firstSent;
  private boolean closed;
  private boolean cancelled;
  /** A timer is set for the head of {@code held}. */
  private boolean waiting;

  FaultedStream(
      FaultInjector injector, TokenSink sink, long firstDelayNanos, int stallAt, long stallNanos,
      int disconnectAt) {
    this.injector = injector;
    this.sink = sink;
    this.shift = firstDelayNanos;
    this.stallAt = stallAt;
    this.stallNanos = stallNanos;
    this.disconnectAt = disconnectAt;
  }

  void attach(Submission submission) {
    this.submission = submission;
  }

  @Override
  public void accept(TokenEvent event) {
    if (closed) {
      return;
    }
    if (cancelled) {
      close();
      sink.accept(event); // the engine's cancelled finish, at once
      return;
    }
    if (event instanceof TokenEvent.Token) {
      int index = ((TokenEvent.Token) event).index();
      if (index == disconnectAt) {
        long at = Math.max(event.atNanos() + shift, injector.clock().nanoTime());
        held.add(injector.failure("stream disconnected (injected)", false, at));
        close();
        submission.cancel();
        deliverOrHold();
        return;
      }
      if (index == stallAt) {
        shift += stallNanos;
      }
    }
    held.add(shifted(event, shift));
    if (!(event instanceof TokenEvent.Token)) {
      close();
    }
    deliverOrHold();
  }

  /** The client cancelled: what is held is dropped and the engine's finish goes through at once. */
  void cancel() {
    if (closed) {
      return;
    }
    cancelled = true;
    held.clear();
    submission.cancel();
  }

  /** A crash: the stream ends now with an error. */
  void fail(String message, long now) {
    if (closed) {
      return;
    }
    held.clear();
    held.add(injector.failure(message, !firstSent, now));
    close();
    submission.cancel();
    deliverOrHold();
  }

  private void close() {
    closed = true;
    injector.ended(this);
  }

  private void deliverOrHold() {
    long now = injector.clock().nanoTime();
    while (!held.isEmpty()) {
      TokenEvent next = held.peek();
      if (next.atNanos() > now) {
        if (!waiting) {
          waiting = true;
          injector.clock().schedule(next.atNanos(), this::release);
        }
        return;
      }
      held.poll();
      deliver(next);
    }
  }

  private void release() {
    waiting = false;
    deliverOrHold();
  }

  private void deliver(TokenEvent event) {
    if (event instanceof TokenEvent.Token) {
      firstSent = true;
    } else if (event instanceof TokenEvent.Failure) {
      firstSent |= !((TokenEvent.Failure) event).beforeFirstToken();
    }
    sink.accept(event);
  }

  private static TokenEvent shifted(TokenEvent e, long shift) {
    if (shift == 0) {
      return e;
    }
    if (e instanceof TokenEvent.Token) {
      TokenEvent.Token t = (TokenEvent.Token) e;
      return t.at(t.atNanos() + shift);
    }
    if (e instanceof TokenEvent.Finish) {
      TokenEvent.Finish f = (TokenEvent.Finish) e;
      return new TokenEvent.Finish(
          f.reason(), f.usage(), f.costUsd(), f.priceUsd(), f.queuedNanos(), f.atNanos() + shift,
          f.serviceNanos());
    }
    TokenEvent.Failure x = (TokenEvent.Failure) e;
    return new TokenEvent.Failure(x.error(), x.beforeFirstToken(), x.atNanos() + shift);
  }
}
