package dev.spillway.backends.spi;

import java.time.Duration;

/**
 * What a replica expects a request would see if it were sent now, under the current load.
 *
 * @param ttft queueing plus prefill, to the first token
 * @param tpot mean time per output token after the first
 * @param costUsd the operator's expected cost of serving it
 */
public record Prediction(Duration ttft, Duration tpot, double costUsd) {

  /** Predicted end-to-end latency for {@code outputTokens} generated tokens. */
  public Duration endToEnd(int outputTokens) {
    return ttft.plus(tpot.multipliedBy(Math.max(0, outputTokens - 1)));
  }
}
