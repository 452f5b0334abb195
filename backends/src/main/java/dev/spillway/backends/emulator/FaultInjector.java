package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One replica's faults in force: draws each request's fate when it is submitted and keeps the
 * replica's up/down state.
 *
 * <p>Implementation notes. Faults sit between the engine and the client, where a network path or a
 * serving front end fails: the engine computes as it would, and a {@link FaultedStream} delays, cuts
 * or fails what it emits. A request's fate (error, spike, stall, disconnect, slow start) is drawn
 * once, at submission, from a random source seeded with the faults' seed and the replica id, in
 * submission order: the same requests on a virtual clock meet the same faults. A crash is a timer on
 * the clock set when the faults are applied; replacing the faults cancels it and brings a crashed
 * replica back. Single-threaded: every method runs on the clock.
 */
final class FaultInjector {

  private final String replicaId;
  private final Clock clock;
  private final Faults faults;
  private final SplittableRandom random;
  private final Set<FaultedStream> inFlight = new LinkedHashSet<>();
  private Clock.Timer crashTimer;
  private boolean down;
  /** Requests since the last (re)start, for the slow start. */
  private long sinceStart;

  FaultInjector(String replicaId, Clock clock, Faults faults) {
    this.replicaId = requireNonNull(replicaId, "replicaId");
    this.clock = requireNonNull(clock, "clock");
    this.faults = requireNonNull(faults, "faults");
    this.random = new SplittableRandom(faults.seed() * 0x9E3779B97F4A7C15L + replicaId.hashCode());
    faults.crash().ifPresent(c -> crashTimer = clock.scheduleAfter(c.after().toNanos(), this::crash));
  }

  Faults faults() {
    return faults;
  }

  boolean down() {
    return down;
  }

  /** Stops the crash timer and forgets the streams: these faults are replaced. */
  void retire() {
    if (crashTimer != null) {
      crashTimer.cancel();
      crashTimer = null;
    }
    down = false;
  }

  /** Submits {@code request} to {@code engine} through the faults; events reach {@code sink}. */
  Submission submit(Engine engine, InferenceRequest request, TokenSink sink) {
    if (down) {
      return failSoon(sink, replicaId + " is down (injected crash): connection refused");
    }
    // Every draw is made, struck or not, so one fault's odds do not shift another's sequence.
    boolean error = random.nextDouble() < faults.errorRate();
    boolean spike = random.nextDouble() < faults.latencySpike().probability();
    boolean stall = random.nextDouble() < faults.stall().probability();
    boolean disconnect = random.nextDouble() < faults.disconnect();
    boolean cold = sinceStart++ < faults.slowStart().requests();
    if (error) {
      return failSoon(sink, replicaId + ": injected error");
    }
    long firstDelay =
        (spike ? faults.latencySpike().duration().toNanos() : 0)
            + (cold ? faults.slowStart().delay().toNanos() : 0);
    int half = Math.max(1, request.maxOutputTokens() / 2);
    FaultedStream stream =
        new FaultedStream(
            this, sink, firstDelay,
            stall ? half : -1, faults.stall().duration().toNanos(),
            disconnect ? half : -1);
    inFlight.add(stream);
    stream.attach(engine.submit(request, stream));
    return stream::cancel;
  }

  /**
   * Fails a request before its first token, on a later turn of the clock as an answer from a
   * process would come: never inside the caller's {@code submit}.
   */
  private Submission failSoon(TokenSink sink, String message) {
    boolean[] cancelled = new boolean[1];
    clock.scheduleAfter(
        0,
        () -> {
          if (!cancelled[0]) {
            cancelled[0] = true;
            sink.accept(failure(message, true, clock.nanoTime()));
          }
        });
    return () -> cancelled[0] = true;
  }

  void ended(FaultedStream stream) {
    inFlight.remove(stream);
  }

  Clock clock() {
    return clock;
  }

  TokenEvent.Failure failure(String message, boolean beforeFirstToken, long at) {
    return new TokenEvent.Failure(
        new BackendException(BackendException.Kind.UPSTREAM, message), beforeFirstToken, at);
  }

  private void crash() {
    crashTimer = null;
    down = true;
    long now = clock.nanoTime();
    for (FaultedStream stream : new ArrayList<>(inFlight)) {
      stream.fail(replicaId + " crashed (injected)", now);
    }
    inFlight.clear();
    long recover = faults.crash().orElseThrow().recoverAfter().toNanos();
    crashTimer = clock.scheduleAfter(recover, this::recover);
  }

  private void recover() {
    crashTimer = null;
    down = false;
    sinceStart = 0;
  }
}
