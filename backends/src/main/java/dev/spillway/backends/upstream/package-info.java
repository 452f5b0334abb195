/**
 * The {@code upstream} backend kind: a pool whose replicas are real OpenAI-compatible servers, spoken to
 * over streaming HTTP.
 */
package dev.spillway.backends.upstream;
