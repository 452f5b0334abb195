package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.ServiceTier;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;

/**
 * The sequences waiting to be admitted: highest tier first, FIFO within a tier by admission order (a
 * preempted sequence keeps its place), with the totals the engine reads in O(1) — tokens to compute per
 * tier, for prediction, and, for late binding, the KV blocks and tokens each sequence takes when
 * admitted. A waiting sequence's remaining work does not change until it leaves the queue, so the
 * totals are kept as sequences come and go.
 */
final class WaitQueue implements Iterable<Sequence> {

  private final PriorityQueue<Sequence> queue = new PriorityQueue<>(Sequence::compare);
  private final ToLongFunction<Sequence> admissionBlocks;
  private final ToLongFunction<Sequence> admissionTokens;
  /** Tokens to compute, per tier. */
  private final long[] remaining = new long[ServiceTier.values().length];
  private long blocks;
  private long tokens;

  /**
   * @param admissionBlocks the KV blocks a sequence takes when admitted
   * @param admissionTokens the tokens it computes in the step that admits it
   */
  WaitQueue(ToLongFunction<Sequence> admissionBlocks, ToLongFunction<Sequence> admissionTokens) {
    this.admissionBlocks = admissionBlocks;
    this.admissionTokens = admissionTokens;
  }

  void add(Sequence s) {
    queue.add(s);
    weigh(s, 1);
  }

  /** The next sequence to admit, left in the queue; null when empty. */
  Sequence peek() {
    return queue.peek();
  }

  Sequence poll() {
    Sequence s = queue.poll();
    if (s != null) {
      weigh(s, -1);
    }
    return s;
  }

  /** Removes {@code s} if it is waiting; returns whether it was. */
  boolean remove(Sequence s) {
    if (!queue.remove(s)) {
      return false;
    }
    weigh(s, -1);
    return true;
  }

  int size() {
    return queue.size();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Tokens to compute of the sequences in tiers up to {@code tierRank} (0 is the highest). */
  long remainingThrough(int tierRank) {
    long total = 0;
    for (int tier = 0; tier <= tierRank; tier++) {
      total += remaining[tier];
    }
    return total;
  }

  /** Tokens to compute of every waiting sequence. */
  long remaining() {
    return remainingThrough(remaining.length - 1);
  }

  /** KV blocks the waiting sequences take when admitted. */
  long admissionBlocks() {
    return blocks;
  }

  /** Tokens the waiting sequences compute in the step that admits them. */
  long admissionTokens() {
    return tokens;
  }

  /** In no particular order. */
  @Override
  public Iterator<Sequence> iterator() {
    return queue.iterator();
  }

  private void weigh(Sequence s, int sign) {
    remaining[s.tierRank] += sign * (long) s.remaining();
    blocks += sign * admissionBlocks.applyAsLong(s);
    tokens += sign * admissionTokens.applyAsLong(s);
  }
}
