package dev.spillway.backends.spi;

/**
 * What a replica can hold at once.
 *
 * @param maxRunningSequences the most requests a step may work on
 * @param kvBlocksTotal KV-cache blocks available after weights
 * @param kvBlockTokens tokens per KV block
 * @param maxBatchTokens the token budget of one step (chunked prefill)
 * @param maxModelTokens the longest prompt plus output one request may have
 * @param staticBatchSize for engines with compiled batch sizes, the batch they run; 0 for continuous
 *     engines
 */
public record Capacity(
    int maxRunningSequences,
    long kvBlocksTotal,
    int kvBlockTokens,
    int maxBatchTokens,
    int maxModelTokens,
    int staticBatchSize) {

  public long kvTokensTotal() {
    return kvBlocksTotal * kvBlockTokens;
  }

  public boolean isStatic() {
    return staticBatchSize > 0;
  }
}
