package dev.spillway.gateway.api.openai;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * Stand-in embedding vectors: the core models the cost and latency of an embedding request but
 * computes no vector. Each vector is a unit vector drawn from a generator seeded by a hash of
 * (model, input), so the same input always gets the same vector and different inputs (almost surely)
 * different ones. A request for fewer {@code dimensions} gets the leading components of the full
 * vector, renormalised, as OpenAI's shortened text-embedding-3 vectors are.
 */
final class EmbeddingVectors {

  private EmbeddingVectors() {}

  static float[] vector(String model, String input, int fullDimensions, int dimensions) {
    SplittableRandom random = new SplittableRandom(Hashing.combine(Hashing.hash(model), Hashing.hash(input)));
    double[] components = new double[fullDimensions];
    for (int i = 0; i < fullDimensions; i++) {
      components[i] = random.nextDouble(-1.0, 1.0);
    }
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      norm += components[i] * components[i];
    }
    norm = Math.sqrt(norm);
    float[] vector = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (norm == 0 ? (i == 0 ? 1 : 0) : components[i] / norm);
    }
    return vector;
  }

  /** OpenAI's {@code encoding_format: "base64"}: the little-endian float32 bytes, base64-encoded. */
  static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float component : vector) {
      bytes.putFloat(component);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
