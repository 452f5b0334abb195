package dev.spillway.backends.emulator;

/**
 * Whether emulated replicas write the text of the free-text tokens they generate. A host that reads
 * only when tokens come, never what they say (the simulator), puts {@link #SKIPPED} in the
 * {@link dev.spillway.backends.spi.BackendContext}: its replicas then send empty tokens at the same
 * times, and save drawing a word at random for each. Answers whose text decides when they end are
 * written anyway: planned ones (JSON, tool calls) and requests with stop sequences.
 */
public enum TokenText {
  WRITTEN,
  SKIPPED
}
