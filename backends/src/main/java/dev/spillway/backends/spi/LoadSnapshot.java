package dev.spillway.backends.spi;

/**
 * A replica's load at one instant, named as vLLM's metrics are.
 *
 * @param running requests in the running set
 * @param waiting requests accepted but not yet running (including preempted ones)
 * @param kvBlocksUsed KV blocks held by running requests
 * @param outstandingTokens prompt tokens still to prefill plus output tokens still to generate, over all
 *     accepted requests: the work queued on this replica
 */
public record LoadSnapshot(
    int running, int waiting, long kvBlocksUsed, long kvBlocksTotal, long outstandingTokens) {

  public double kvUsage() {
    return kvBlocksTotal == 0 ? 0 : (double) kvBlocksUsed / kvBlocksTotal;
  }

  public int inFlight() {
    return running + waiting;
  }
}
