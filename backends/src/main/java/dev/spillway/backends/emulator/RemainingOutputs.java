package dev.spillway.backends.emulator;

import java.util.Arrays;

/**
 * The output tokens the sequences in an engine (running and waiting) have still to generate, sorted,
 * with prefix sums: what a prediction needs to know of how long each will stay, read in logarithmic
 * time rather than by a walk over the sequences for every estimate. The sequences still in the front
 * end are kept too, in arrays, since when each joins depends on the time of the estimate.
 *
 * <p>Implementation notes. A prediction asks several times (the batch over a request's life is found
 * by iteration) and several replicas are asked per request, while the engine changes only at its own
 * events; the snapshot is therefore taken again only when the engine's counters say something changed:
 * sequences submitted, finished or preempted, steps started, tokens generated, the waiting queue's
 * length. Between two steps many requests may be predicted on the same snapshot. Single-threaded,
 * like its engine.
 */
final class RemainingOutputs {

  private final Engine engine;
  /** The admitting sequences (in the front end, in order): when each was submitted, what it has left. */
  private long[] admittedSince = new long[16];
  private int[] admittingLeft = new int[16];
  private int admitting;
  private int[] sorted = new int[16];
  private long[] prefix = new long[17];
  private int size;
  private long submitted = -1;
  private long finished = -1;
  private long steps = -1;
  private long preemptions = -1;
  private long tokensOut = -1;
  private int waiting = -1;
  /** How many times the snapshot was taken: a new value means the engine changed. */
  private long version;

  RemainingOutputs(Engine engine) {
    this.engine = engine;
  }

  /**
   * {@code Σ max(0, min(r·perToken, end) − start)} over every sequence's remaining output {@code r}:
   * the time within {@code [start, end]} that each will still be decoding, at {@code perToken}
   * seconds a token, summed.
   */
  double overlap(double perToken, double start, double end) {
    refresh();
    // r·perToken ≤ start contributes nothing; r·perToken ≥ end contributes the whole window.
    int a = upperBound(start / perToken);
    int b = lowerBound(end / perToken);
    if (b < a) {
      b = a;
    }
    return perToken * (prefix[b] - prefix[a]) - (b - a) * start + (size - b) * (end - start);
  }

  /** Changes whenever the engine did since the last call; the same otherwise. */
  long version() {
    refresh();
    return version;
  }

  /**
   * The same for the sequences still in the front end, each joining {@code admission} seconds after it
   * was submitted: {@code Σ max(0, min(leaves, end) − max(joins, start))}, with times in seconds from
   * {@code nowNanos}.
   */
  double admittingOverlap(long nowNanos, double admission, double perToken, double start, double end) {
    refresh();
    double sum = 0;
    for (int i = 0; i < admitting; i++) {
      double joins = (admittedSince[i] - nowNanos) / 1e9 + admission;
      double leaves = joins + admittingLeft[i] * perToken;
      sum += Math.max(0, Math.min(leaves, end) - Math.max(joins, start));
    }
    return sum;
  }

  /** The first index whose value exceeds {@code x}: the values at most x come before it. */
  private int upperBound(double x) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first index whose value is at least {@code x}. */
  private int lowerBound(double x) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private void refresh() {
    EngineStats stats = engine.stats();
    if (stats.submitted() == submitted
        && stats.finished() == finished
        && stats.steps() == steps
        && stats.preemptions() == preemptions
        && stats.tokensOut() == tokensOut
        && engine.waitingCount() == waiting) {
      return;
    }
    version++;
    submitted = stats.submitted();
    finished = stats.finished();
    steps = stats.steps();
    preemptions = stats.preemptions();
    tokensOut = stats.tokensOut();
    waiting = engine.waitingCount();
    size = 0;
    for (Sequence s : engine.runningSequences()) {
      add(s.remainingOutput());
    }
    for (Sequence s : engine.waitingSequences()) {
      add(s.remainingOutput());
    }
    admitting = 0;
    for (Sequence s : engine.admittingSequences()) {
      if (admitting == admittingLeft.length) {
        admittingLeft = Arrays.copyOf(admittingLeft, admitting * 2);
        admittedSince = Arrays.copyOf(admittedSince, admitting * 2);
      }
      admittedSince[admitting] = s.submittedNanos;
      admittingLeft[admitting++] = s.remainingOutput();
    }
    Arrays.sort(sorted, 0, size);
    if (prefix.length < size + 1) {
      prefix = new long[sorted.length + 1];
    }
    for (int i = 0; i < size; i++) {
      prefix[i + 1] = prefix[i] + sorted[i];
    }
  }

  private void add(int remaining) {
    if (size == sorted.length) {
      sorted = Arrays.copyOf(sorted, size * 2);
    }
    sorted[size++] = remaining;
  }
}
