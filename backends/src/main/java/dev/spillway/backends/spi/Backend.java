package dev.spillway.backends.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A pool: N identical replicas of one model on one accelerator profile (or one upstream). */
public interface Backend extends AutoCloseable {

  /** The pool name, e.g. {@code llama-3.3-70b@trn2}. */
  String pool();

  /** The logical model this pool serves. */
  String model();

  /** What serves it, for operators: {@code trn2.48xlarge tp=64 bf16 (neuron-vllm)} or an upstream URL. */
  String description();

  List<Replica> replicas();

  /**
   * How long one more replica of this pool would take from being asked for to serving (an instance's
   * launch and boot plus the model's load), where the kind knows it; for autoscaling. Empty by default.
   */
  default Optional<Duration> provisioningDelay() {
    return Optional.empty();
  }

  @Override
  default void close() {}
}
