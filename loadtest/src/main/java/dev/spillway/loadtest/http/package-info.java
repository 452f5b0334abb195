/**
 * The live driver: sends a {@link dev.spillway.loadtest.workload.Workload} to any OpenAI-compatible
 * endpoint with a non-blocking Vert.x HTTP client, on the schedule's intended times, and records what
 * each request saw as a {@link dev.spillway.loadtest.metrics.RequestRecord}.
 */
package dev.spillway.loadtest.http;
