package dev.spillway.backends.emulator;

import java.util.Arrays;

/**
 * The work of the engine step in flight: the sequences it computes, in the order the batcher chose
 * them, and the sums its modelled duration depends on — {@code T} new tokens, {@code A} =
 * Σ n·(c + (n+1)/2) query-context products, {@code K} KV tokens read, and whether it prefills. The sums
 * are kept as sequences are added, in that order, so they equal a pass over the batch afterwards.
 *
 * <p>Reused from step to step: {@link #clear()} forgets the sequences without nulling the slots, so an
 * ended sequence may stay referenced until a later step overwrites its slot.
 */
final class Step {

  private Sequence[] sequences = new Sequence[64];
  private int size;
  private long tokens;
  private double attention;
  private double kvRead;
  private boolean prefill;

  /** Schedules {@code tokens} of {@code s}'s remaining work in this step, starting at {@code start}. */
  void add(Sequence s, int tokens, long start) {
    if (size == sequences.length) {
      sequences = Arrays.copyOf(sequences, size * 2);
    }
    sequences[size++] = s;
    s.scheduled = tokens;
    if (s.firstStepNanos < 0) {
      s.firstStepNanos = start;
    }
    long n = tokens;
    long c = s.computed;
    this.tokens += n;
    attention += n * (c + (n + 1) / 2.0);
    kvRead += c + n;
    prefill |= s.prefilling();
  }

  void clear() {
    size = 0;
    tokens = 0;
    attention = 0;
    kvRead = 0;
    prefill = false;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  Sequence get(int i) {
    return sequences[i];
  }

  /** New tokens computed: {@code T}. */
  long tokens() {
    return tokens;
  }

  /** Query-context products: {@code A}. */
  double attention() {
    return attention;
  }

  /** KV tokens read: {@code K}. */
  double kvRead() {
    return kvRead;
  }

  boolean prefills() {
    return prefill;
  }
}
