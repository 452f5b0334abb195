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
 *
 * <p>A large engine (hundreds of sequences, steps tens of milliseconds apart) mostly changes between
 * two predictions only by sequences joining its waiting queue: the engine reports each
 * ({@link #joined}), and the snapshot inserts their remaining outputs rather than walking every
 * sequence again. The result is the same as a full walk's.
 */
final class RemainingOutputs {

  private final Engine engine;
  /** The admitting sequences (in the front end, in order): when each was submitted, what it has left. */
  private long[] admittedSince = new long[16];
  private int[] admittingLeft = new int[16];
  private int admitting;
  /** When each admitting sequence joins, in seconds from {@link #joinsAt}, for {@link #joinsAdmission}. */
  private double[] joins = new double[16];
  private long joinsAt;
  private double joinsAdmission;
  private boolean joinsValid;
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
  /** The remaining outputs of sequences that joined the waiting queue since the snapshot. */
  private int[] joined = new int[16];
  private int joinedCount;
  /** More joined than are worth inserting one by one: the next refresh walks every sequence. */
  private boolean joinedOverflow;
  /** Snapshots taken by a walk over every sequence, of {@link #version} in all. */
  private long walks;

  static final int MAX_JOINED = 64;

  RemainingOutputs(Engine engine) {
    this.engine = engine;
  }

  /** The engine put {@code s} in its waiting queue, from its front end or at submission. */
  void joined(Sequence s) {
    if (joinedOverflow) {
      return;
    }
    if (joinedCount == MAX_JOINED) {
      joinedOverflow = true;
      return;
    }
    if (joinedCount == joined.length) {
      joined = Arrays.copyOf(joined, joinedCount * 2);
    }
    joined[joinedCount++] = s.remainingOutput();
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

  /** How many snapshots walked every sequence; the others inserted what joined. */
  long walks() {
    return walks;
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
    if (!joinsValid || joinsAt != nowNanos || joinsAdmission != admission) {
      // A prediction asks several times at one instant: the joining times are the same each time.
      if (joins.length < admitting) {
        joins = new double[admittingLeft.length];
      }
      for (int i = 0; i < admitting; i++) {
        joins[i] = (admittedSince[i] - nowNanos) / 1e9 + admission;
      }
      joinsAt = nowNanos;
      joinsAdmission = admission;
      joinsValid = true;
    }
    double sum = 0;
    for (int i = 0; i < admitting; i++) {
      double leaves = joins[i] + admittingLeft[i] * perToken;
      sum += Math.max(0, Math.min(leaves, end) - Math.max(joins[i], start));
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
    int nowWaiting = engine.waitingCount();
    if (stats.submitted() == submitted
        && stats.finished() == finished
        && stats.steps() == steps
        && stats.preemptions() == preemptions
        && stats.tokensOut() == tokensOut
        && nowWaiting == waiting) {
      return;
    }
    // Nothing ran, ended or was preempted: the running set is as it was, and the waiting queue has
    // only gained the sequences reported since.
    boolean onlyJoined =
        stats.finished() == finished
            && stats.steps() == steps
            && stats.preemptions() == preemptions
            && stats.tokensOut() == tokensOut
            && !joinedOverflow
            && nowWaiting == waiting + joinedCount;
    version++;
    joinsValid = false;
    submitted = stats.submitted();
    finished = stats.finished();
    steps = stats.steps();
    preemptions = stats.preemptions();
    tokensOut = stats.tokensOut();
    waiting = nowWaiting;
    if (onlyJoined) {
      insertJoined();
    } else {
      walks++;
      size = 0;
      for (Sequence s : engine.runningSequences()) {
        add(s.remainingOutput());
      }
      for (Sequence s : engine.waitingSequences()) {
        add(s.remainingOutput());
      }
      Arrays.sort(sorted, 0, size);
      sumFrom(0);
    }
    joinedCount = 0;
    joinedOverflow = false;
    admitting = 0;
    for (Sequence s : engine.admittingSequences()) {
      if (admitting == admittingLeft.length) {
        admittingLeft = Arrays.copyOf(admittingLeft, admitting * 2);
        admittedSince = Arrays.copyOf(admittedSince, admitting * 2);
      }
      admittedSince[admitting] = s.submittedNanos;
      admittingLeft[admitting++] = s.remainingOutput();
    }
  }

  /** Inserts the joined sequences' remaining outputs in order, and sums again from the first. */
  private void insertJoined() {
    int first = size;
    for (int j = 0; j < joinedCount; j++) {
      int value = joined[j];
      int at = upperBound(value);
      if (size == sorted.length) {
        sorted = Arrays.copyOf(sorted, size * 2);
      }
      System.arraycopy(sorted, at, sorted, at + 1, size - at);
      sorted[at] = value;
      size++;
      first = Math.min(first, at);
    }
    sumFrom(first);
  }

  /** Prefix sums from index {@code from} on; those before it are unchanged. */
  private void sumFrom(int from) {
    if (prefix.length < size + 1) {
      prefix = Arrays.copyOf(prefix, sorted.length + 1);
    }
    for (int i = from; i < size; i++) {
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
