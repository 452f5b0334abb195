package dev.spillway.backends.emulator;

/** How an engine forms the work of each step. */
public enum Batching {
  /** vLLM-style iteration-level scheduling: chunked prefill, paged KV, preemption. */
  CONTINUOUS,
  /** Neuron-style compiled graphs: a fixed batch size, prompts padded to a compiled bucket. */
  STATIC,
  /** Cerebras: iteration-level scheduling, weights in wafer SRAM so a step is latency bound. */
  WAFER
}
