package dev.spillway.gateway.core;

import dev.spillway.backends.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One model's attempts in flight, watched for their deadlines (each pool's time limiter): the first
 * token's and the total. A sweep on the model's clock checks them, so an attempt costs an entry in a
 * set rather than timers of its own. The sweep runs at the earliest deadline it knows of, and never
 * more often than every {@link #SWEEP_NANOS}: deadlines are kept to within that, and an engine that
 * meets them is swept about once per deadline rather than four times a second. On the model's clock.
 */
final class AttemptDeadlines {

  /** The shortest time between two sweeps. */
  static final long SWEEP_NANOS = 250_000_000L;

  /** Told of each attempt past a deadline, once; it is no longer watched. */
  interface Expiry {
    void expired(BoundRequest attempt, boolean firstToken);
  }

  private final Clock clock;
  private final Expiry expiry;
  private final LinkedHashSet<BoundRequest> inFlight = new LinkedHashSet<>();
  /** When the next sweep is set for, and its timer; MAX_VALUE and null when none is. */
  private long sweepAt = Long.MAX_VALUE;
  private Clock.Timer sweep;
  /** When the last sweep ran. */
  private long sweptAt = Long.MIN_VALUE;

  AttemptDeadlines(Clock clock, Expiry expiry) {
    this.clock = clock;
    this.expiry = expiry;
  }

  /**
   * Watches {@code attempt}, bound at {@code nowNanos}, with its deadlines: a first token within
   * {@code firstTokenNanos}, the whole attempt within {@code totalNanos}.
   */
  void watch(BoundRequest attempt, long nowNanos, long firstTokenNanos, long totalNanos) {
    attempt.firstTokenDeadlineNanos = saturatedAdd(nowNanos, firstTokenNanos);
    attempt.totalDeadlineNanos = saturatedAdd(nowNanos, totalNanos);
    inFlight.add(attempt);
    sweepBy(Math.min(attempt.firstTokenDeadlineNanos, attempt.totalDeadlineNanos));
  }

  /** The attempt ended: no longer watched. With none left, no sweep waits (nor keeps a clock going). */
  void unwatch(BoundRequest attempt) {
    if (inFlight.remove(attempt) && inFlight.isEmpty() && sweep != null) {
      sweep.cancel();
      sweep = null;
      sweepAt = Long.MAX_VALUE;
    }
  }

  int size() {
    return inFlight.size();
  }

  /** Makes sure a sweep runs at {@code deadline} or soon after (the sweeps' spacing allowing). */
  private void sweepBy(long deadline) {
    long at = Math.max(deadline, saturatedAdd(sweptAt, SWEEP_NANOS));
    if (at < sweepAt) {
      if (sweep != null) {
        sweep.cancel();
      }
      sweepAt = at;
      sweep = clock.schedule(at, () -> sweep(at));
    }
  }

  /** The sweep set for {@code at} (a replaced one is cancelled, and does nothing if it runs anyway). */
  private void sweep(long at) {
    if (at != sweepAt) {
      return;
    }
    sweepAt = Long.MAX_VALUE;
    sweep = null;
    long now = clock.nanoTime();
    sweptAt = now;
    List<BoundRequest> late = null;
    long next = Long.MAX_VALUE;
    for (Iterator<BoundRequest> it = inFlight.iterator(); it.hasNext(); ) {
      BoundRequest attempt = it.next();
      boolean waitsForFirst = !attempt.firstTokenSeen();
      if (now >= attempt.totalDeadlineNanos || (waitsForFirst && now >= attempt.firstTokenDeadlineNanos)) {
        it.remove();
        if (late == null) {
          late = new ArrayList<>();
        }
        late.add(attempt);
      } else {
        next = Math.min(next, attempt.totalDeadlineNanos);
        if (waitsForFirst) {
          next = Math.min(next, attempt.firstTokenDeadlineNanos);
        }
      }
    }
    if (late != null) {
      for (BoundRequest attempt : late) {
        expiry.expired(attempt, !attempt.firstTokenSeen() && now >= attempt.firstTokenDeadlineNanos);
      }
    }
    if (next != Long.MAX_VALUE) {
      sweepBy(next);
    }
  }

  private static long saturatedAdd(long a, long b) {
    if (a == Long.MIN_VALUE) {
      return Long.MIN_VALUE;
    }
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }
}
