package dev.spillway.backends.server;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Dtype;
import dev.spillway.backends.emulator.Faults;
import java.nio.file.Path;

/**
 * What {@code serve} runs: one emulated pool and the address it listens on.
 *
 * @param accelerator accelerator profile name, e.g. {@code trn2.48xlarge}
 * @param model model profile name or alias, e.g. {@code llama-3.3-70b}; served under this name
 * @param replicas replicas in the pool, at least 1
 * @param host address to bind
 * @param port port to listen on; 0 picks a free one
 * @param stack serving stack name, or null for the accelerator's default
 * @param tp tensor-parallel ranks, or 0 for the smallest that fits
 * @param dtype weight format, or null for the model's
 * @param profiles a YAML file laid over the built-in profiles, or null
 * @param faults faults the replicas inject, {@link Faults#NONE} for none
 * @param toolCallRate under {@code tool_choice: auto}, the probability that an answer calls a tool
 */
public record ServeOptions(
    String accelerator,
    String model,
    int replicas,
    String host,
    int port,
    String stack,
    int tp,
    Dtype dtype,
    Path profiles,
    Faults faults,
    double toolCallRate) {

  /** Under {@code tool_choice: auto}, how often an answer calls a tool unless told otherwise. */
  public static final double DEFAULT_TOOL_CALL_RATE = 0.5;

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8000;

  public ServeOptions {
    requireNonNull(accelerator, "accelerator");
    requireNonNull(model, "model");
    requireNonNull(host, "host");
    requireNonNull(faults, "faults");
    if (accelerator.isBlank()) {
      throw new IllegalArgumentException("accelerator: \"\" (expected: an accelerator profile name)");
    }
    if (model.isBlank()) {
      throw new IllegalArgumentException("model: \"\" (expected: a model profile name)");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: \"\" (expected: an address to bind)");
    }
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas: " + replicas + " (expected: >= 1)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
    }
    if (!(toolCallRate >= 0 && toolCallRate <= 1)) {
      throw new IllegalArgumentException("toolCallRate: " + toolCallRate + " (expected: 0 to 1)");
    }
    if (tp < 0) {
      throw new IllegalArgumentException("tp: " + tp + " (expected: >= 0, 0 for the smallest that fits)");
    }
  }

  /** With the default tool-call rate. */
  public ServeOptions(
      String accelerator, String model, int replicas, String host, int port, String stack, int tp,
      Dtype dtype, Path profiles, Faults faults) {
    this(accelerator, model, replicas, host, port, stack, tp, dtype, profiles, faults,
        DEFAULT_TOOL_CALL_RATE);
  }

  /** One replica on {@link #DEFAULT_HOST}, a free port, default stack, TP and dtype: for tests. */
  public static ServeOptions of(String accelerator, String model) {
    return new ServeOptions(accelerator, model, 1, DEFAULT_HOST, 0, null, 0, null, null, Faults.NONE);
  }

  public ServeOptions withReplicas(int newReplicas) {
    return new ServeOptions(
        accelerator, model, newReplicas, host, port, stack, tp, dtype, profiles, faults, toolCallRate);
  }

  public ServeOptions withFaults(Faults newFaults) {
    return new ServeOptions(
        accelerator, model, replicas, host, port, stack, tp, dtype, profiles, newFaults, toolCallRate);
  }

  public ServeOptions withToolCallRate(double newToolCallRate) {
    return new ServeOptions(
        accelerator, model, replicas, host, port, stack, tp, dtype, profiles, faults, newToolCallRate);
  }
}
