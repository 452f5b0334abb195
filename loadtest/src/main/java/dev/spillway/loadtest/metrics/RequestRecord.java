package dev.spillway.loadtest.metrics;

import static java.util.Objects.requireNonNull;

/**
 * What happened to one request, as a driver observed it. Times are nanoseconds from the start of the
 * run on the driver's clock (real or virtual).
 *
 * @param intendedStartNanos when the schedule meant to send it (open loop), or when it was sent
 *     (closed loop); latencies are measured from here
 * @param sentNanos when the driver actually sent it; {@code sentNanos - intendedStartNanos} is the
 *     driver's lag behind schedule
 * @param tokenNanos arrival time of every streamed token (for non-streamed requests, only the end);
 *     ITL is the gaps between them
 * @param error null on success; otherwise an error kind such as {@code http_429}, {@code http_500},
 *     {@code timeout}, {@code connection}, {@code stream_error}
 * @param pool the pool the gateway reported ({@code x-spillway-pool}), or empty
 * @param boundNanos when the gateway bound it to a replica, on the same clock; -1 when unknown (the
 *     HTTP driver does not see it)
 * @param predictedTtftNanos the chosen replica's predicted TTFT at binding, from binding; NaN when
 *     unknown
 * @param predictedTpotNanos the chosen replica's predicted TPOT at binding; NaN when unknown
 */
public record RequestRecord(
    long index,
    String model,
    String tenant,
    String tier,
    int promptTokens,
    int requestedOutputTokens,
    long intendedStartNanos,
    long sentNanos,
    long firstTokenNanos,
    long endNanos,
    long[] tokenNanos,
    int outputTokens,
    String error,
    String pool,
    double costUsd,
    double priceUsd,
    boolean warmup,
    long boundNanos,
    double predictedTtftNanos,
    double predictedTpotNanos) {

  /** A record without the gateway's prediction: what a driver outside the gateway sees. */
  public RequestRecord(
      long index, String model, String tenant, String tier, int promptTokens, int requestedOutputTokens,
      long intendedStartNanos, long sentNanos, long firstTokenNanos, long endNanos, long[] tokenNanos,
      int outputTokens, String error, String pool, double costUsd, double priceUsd, boolean warmup) {
    this(index, model, tenant, tier, promptTokens, requestedOutputTokens, intendedStartNanos, sentNanos,
        firstTokenNanos, endNanos, tokenNanos, outputTokens, error, pool, costUsd, priceUsd, warmup, -1,
        Double.NaN, Double.NaN);
  }

  public RequestRecord {
    requireNonNull(model, "model");
    requireNonNull(tenant, "tenant");
    requireNonNull(tier, "tier");
    requireNonNull(tokenNanos, "tokenNanos");
    requireNonNull(pool, "pool");
  }

  public boolean succeeded() {
    return error == null;
  }

  /** Time to first token, from the intended start. */
  public long ttftNanos() {
    return firstTokenNanos - intendedStartNanos;
  }

  /** Whether the record carries the prediction the gateway bound it on. */
  public boolean hasPrediction() {
    return boundNanos >= 0 && !Double.isNaN(predictedTtftNanos);
  }

  /**
   * Time to first token from binding, the instant the prediction was made for; NaN without a
   * binding time or a first token.
   */
  public double ttftFromBindingNanos() {
    return boundNanos >= 0 && firstTokenNanos >= 0 ? firstTokenNanos - boundNanos : Double.NaN;
  }

  /** End-to-end latency, from the intended start. */
  public long e2eNanos() {
    return endNanos - intendedStartNanos;
  }

  /**
   * Time per output token after the first, as vLLM's benchmark defines it:
   * {@code (e2e − ttft) / (output tokens − 1)}; NaN for fewer than two tokens.
   */
  public double tpotNanos() {
    return outputTokens > 1 ? (double) (endNanos - firstTokenNanos) / (outputTokens - 1) : Double.NaN;
  }
}
