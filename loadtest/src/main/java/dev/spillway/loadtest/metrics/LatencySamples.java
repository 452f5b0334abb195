package dev.spillway.loadtest.metrics;

/**
 * The latencies of every completed measured request, in milliseconds and in record order: what a
 * report's distribution charts draw. TPOT leaves out requests with fewer than two output tokens.
 */
public record LatencySamples(double[] ttftMs, double[] tpotMs, double[] e2eMs) {}
