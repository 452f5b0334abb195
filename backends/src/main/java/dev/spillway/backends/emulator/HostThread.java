package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.Clock;
import java.util.ArrayDeque;

/**
 * The serving process's one host thread, where a stack models it ({@code hostRequestMs},
 * {@code hostPromptUs}, {@code hostTokenUs}): a FIFO server in front of the accelerator. A request
 * reaches the scheduler when the host has parsed and tokenised it; each event reaches the client when
 * the host has written it, at its time stamp, after every event queued before it.
 *
 * <p>Without host costs every event is due when it is made and passes straight to the sink.
 *
 * <p>Single-threaded: on the clock, as the engine.
 */
final class HostThread {

  private final Clock clock;
  private final long tokenNanos;
  /** When the host thread is next idle. */
  private long freeAt = Long.MIN_VALUE;
  /** Events the host has handled or will by their time stamps, in time order. */
  private final ArrayDeque<Delivery> deliveries = new ArrayDeque<>();
  private boolean armed;
  private final Runnable drain = this::drain;

  HostThread(Clock clock, long tokenNanos) {
    this.clock = clock;
    this.tokenNanos = tokenNanos;
  }

  /** Host work per generated token (detokenise and write); 0 when the host is not modelled. */
  long tokenNanos() {
    return tokenNanos;
  }

  /** When the host has written everything queued so far. */
  long freeAt() {
    return freeAt;
  }

  /** Queues {@code nanos} of host work that can start at {@code ready}; returns when it is done. */
  long queue(long ready, long nanos) {
    freeAt = Math.max(ready, freeAt) + nanos;
    return freeAt;
  }

  /** Host work queued ahead of a request arriving now, in seconds. */
  double backlogSeconds() {
    long now = clock.nanoTime();
    return freeAt <= now ? 0 : (freeAt - now) / 1e9;
  }

  private record Delivery(Sequence sequence, TokenEvent event) {}

  /** Hands {@code event} to {@code s}'s sink at its time stamp, after every event queued before it. */
  void deliver(Sequence s, TokenEvent event) {
    if (deliveries.isEmpty() && event.atNanos() <= clock.nanoTime()) {
      s.emit(event);
      return;
    }
    deliveries.add(new Delivery(s, event));
    arm();
  }

  /**
   * Ends the stream of a sequence the engine has finished but whose events the host still holds: the
   * sink gets a cancelled finish now, with the usage and cost of everything generated.
   */
  void cut(Sequence s) {
    for (Delivery d : deliveries) {
      if (d.sequence() == s && d.event() instanceof TokenEvent.Finish) {
        TokenEvent.Finish f = (TokenEvent.Finish) d.event();
        s.emit(
            new TokenEvent.Finish(
                FinishReason.CANCELLED, f.usage(), f.costUsd(), f.priceUsd(), f.queuedNanos(),
                clock.nanoTime()));
        return;
      }
    }
  }

  private void arm() {
    if (!armed && !deliveries.isEmpty()) {
      armed = true;
      clock.schedule(deliveries.peek().event().atNanos(), drain);
    }
  }

  private void drain() {
    armed = false;
    long now = clock.nanoTime();
    while (!deliveries.isEmpty() && deliveries.peek().event().atNanos() <= now) {
      Delivery d = deliveries.poll();
      d.sequence().emit(d.event());
    }
    arm();
  }
}
