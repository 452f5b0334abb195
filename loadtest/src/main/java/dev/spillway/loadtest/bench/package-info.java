/** Fixtures for benchmarking the gateway itself: a zero-work OpenAI-compatible upstream that paces its chunks. */
package dev.spillway.loadtest.bench;
