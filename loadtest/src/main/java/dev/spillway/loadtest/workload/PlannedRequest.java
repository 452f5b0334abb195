package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;

/**
 * One request a workload schedules: when it is meant to start and what it asks for. Drivers measure
 * latency from {@code intendedStartNanos}, not from when they managed to send it, so a stalled
 * server shows up in the latencies of every request scheduled during the stall (no coordinated
 * omission).
 *
 * @param index position in the schedule, from 0
 * @param intendedStartNanos offset from the start of the run; for closed-loop runs, -1 (the driver
 *     sends when a client is free)
 * @param prefixGroup requests with the same non-negative group share a prompt prefix; -1 for none
 * @param warmup true for requests excluded from the metrics
 */
public record PlannedRequest(
    long index,
    long intendedStartNanos,
    String model,
    String tenant,
    ServiceTier tier,
    int promptTokens,
    int outputTokens,
    int prefixGroup,
    boolean stream,
    boolean warmup) {

  public PlannedRequest {
    requireNonNull(model, "model");
    requireNonNull(tenant, "tenant");
    requireNonNull(tier, "tier");
    if (promptTokens < 1 || outputTokens < 1) {
      throw new IllegalArgumentException(
          "tokens: " + promptTokens + "/" + outputTokens + " (expected: >= 1 each)");
    }
  }
}
