package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.gateway.config.PoolConfig;

/** A pool, how the gateway batches for it, and which of its replicas serve (see {@link PoolReplicas}). */
record PoolHandle(PoolConfig config, Backend backend, PoolReplicas replicas) {

  /**
   * A typical request's prediction: the best serving replica's (any replica's when none serves),
   * for 512 prompt and 128 output tokens of {@code model}; on the model's clock.
   */
  Prediction typicalPrediction(String model) {
    InferenceRequest probe = InferenceRequest.of("probe", model, 512, 128);
    Prediction best = null;
    for (Replica r : backend.replicas()) {
      if (replicas.serving() > 0 && !replicas.serving(r)) {
        continue;
      }
      Prediction p = r.predict(probe);
      if (best == null || p.endToEnd(128).compareTo(best.endToEnd(128)) < 0) {
        best = p;
      }
    }
    return best;
  }
}
