package dev.spillway.backends.spi;

import java.util.List;

/** A pool: N identical replicas of one model on one accelerator profile (or one upstream). */
public interface Backend extends AutoCloseable {

  /** The pool name, e.g. {@code llama-3.3-70b@trn2}. */
  String pool();

  /** The logical model this pool serves. */
  String model();

  /** What serves it, for operators: {@code trn2.48xlarge tp=64 bf16 (neuron-vllm)} or an upstream URL. */
  String description();

  List<Replica> replicas();

  @Override
  default void close() {}
}
