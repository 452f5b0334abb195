package dev.spillway.gateway.core;

import dev.spillway.backends.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One model's attempts in flight, watched for their deadlines (each pool's time limiter): the first
 * token's and the total. A sweep on the model's clock checks them every {@link #SWEEP_NANOS} while
 * attempts are in flight, so an attempt costs an entry in a set rather than timers of its own, and a
 * deadline is kept to within the sweep's period. On the model's thread.
 */
final class AttemptDeadlines {

  /** How often the attempts in flight are checked. */
  static final long SWEEP_NANOS = 250_000_000L;

  /** Told of each attempt past a deadline, once; it is no longer watched. */
  interface Expiry {
    void expired(BoundRequest attempt, boolean firstToken);
  }

  private final Clock clock;
  private final Expiry expiry;
  private final LinkedHashSet<BoundRequest> inFlight = new LinkedHashSet<>();
  private boolean sweepSet;

  AttemptDeadlines(Clock clock, Expiry expiry) {
    this.clock = clock;
    this.expiry = expiry;
  }

  /** Watches {@code attempt}, whose deadlines it carries. */
  void watch(BoundRequest attempt) {
    inFlight.add(attempt);
    if (!sweepSet) {
      sweepSet = true;
      clock.schedule(clock.nanoTime() + SWEEP_NANOS, this::sweep);
    }
  }

  /** The attempt ended: no longer watched. */
  void unwatch(BoundRequest attempt) {
    inFlight.remove(attempt);
  }

  int size() {
    return inFlight.size();
  }

  private void sweep() {
    sweepSet = false;
    long now = clock.nanoTime();
    List<BoundRequest> late = null;
    for (Iterator<BoundRequest> it = inFlight.iterator(); it.hasNext(); ) {
      BoundRequest attempt = it.next();
      if (now >= attempt.totalDeadlineNanos
          || (now >= attempt.firstTokenDeadlineNanos && !attempt.firstTokenSeen())) {
        it.remove();
        if (late == null) {
          late = new ArrayList<>();
        }
        late.add(attempt);
      }
    }
    if (late != null) {
      for (BoundRequest attempt : late) {
        expiry.expired(attempt, !attempt.firstTokenSeen() && now >= attempt.firstTokenDeadlineNanos);
      }
    }
    if (!inFlight.isEmpty() && !sweepSet) {
      sweepSet = true;
      clock.schedule(now + SWEEP_NANOS, this::sweep);
    }
  }
}
