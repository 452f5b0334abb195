package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A serving stack (vLLM, TensorRT-LLM, Neuron transformers-neuronx, the Cerebras service): how it batches
 * and, per accelerator family, how efficiently it runs.
 *
 * @param match substrings of a published {@code system} that identify this stack (calibration)
 * @param staticBatchSizes compiled batch sizes, for {@link Batching#STATIC} stacks
 * @param prefillBuckets compiled prompt lengths prompts are padded to; empty means no padding
 * @param maxRunningSequences most sequences in one step
 * @param maxBatchTokens token budget of one step (chunked prefill)
 * @param memoryUtilization fraction of device memory the engine may use (vLLM's
 *     {@code gpu_memory_utilization})
 * @param fp8KvCache whether models with 8-bit or narrower weights keep their KV cache in FP8
 * @param reserveMaxTokens admit a request only when KV blocks for its prompt plus maximum output are
 *     free, and reserve them (TensorRT-LLM's guaranteed-no-evict policy): no preemption, ever
 */
public record StackProfile(
    String name,
    String title,
    List<String> match,
    Batching batching,
    List<Integer> staticBatchSizes,
    List<Integer> prefillBuckets,
    int maxRunningSequences,
    int maxBatchTokens,
    double memoryUtilization,
    boolean fp8KvCache,
    boolean reserveMaxTokens,
    Map<String, Efficiency> families) {

  public StackProfile {
    requireNonNull(name, "name");
    title = title == null ? name : title;
    match = match == null ? List.of() : List.copyOf(match);
    requireNonNull(batching, name + ".batching");
    staticBatchSizes = staticBatchSizes == null ? List.of() : List.copyOf(staticBatchSizes);
    prefillBuckets = prefillBuckets == null ? List.of() : List.copyOf(prefillBuckets);
    families = Map.copyOf(requireNonNull(families, name + ".families"));
    Profiles.positive(name + ".maxRunningSequences", maxRunningSequences);
    Profiles.positive(name + ".maxBatchTokens", maxBatchTokens);
    if (!(memoryUtilization > 0 && memoryUtilization <= 1)) {
      throw new IllegalArgumentException(
          name + ".memoryUtilization: " + memoryUtilization + " (expected: > 0 and <= 1)");
    }
    if (batching == Batching.STATIC && staticBatchSizes.isEmpty()) {
      throw new IllegalArgumentException(
          name + ".staticBatchSizes: empty (expected: at least one compiled batch size)");
    }
  }

  /** The fitted efficiencies for {@code family}. */
  public Efficiency efficiency(String family) {
    Efficiency efficiency = families.get(family);
    if (efficiency == null) {
      throw new IllegalArgumentException(
          "stack " + name + " has no efficiencies for family " + family + " (expected one of: "
              + families.keySet() + ")");
    }
    return efficiency;
  }

  public boolean matchesSystem(String system) {
    String lower = system.toLowerCase(Locale.ROOT);
    for (String m : match) {
      if (lower.contains(m.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  /** The smallest compiled batch size holding {@code sequences}, or the largest one. */
  public int staticBatchFor(int sequences) {
    int best = staticBatchSizes.get(staticBatchSizes.size() - 1);
    for (int size : staticBatchSizes) {
      if (size >= sequences && size < best) {
        best = size;
      }
    }
    return best;
  }

  /** {@code tokens} rounded up to the next compiled bucket; unchanged with no buckets or past the last. */
  public int bucket(int tokens) {
    for (int b : prefillBuckets) {
      if (b >= tokens) {
        return b;
      }
    }
    return tokens;
  }

  public StackProfile withFamily(String family, Efficiency efficiency) {
    Map<String, Efficiency> copy = new java.util.HashMap<>(families);
    copy.put(family, efficiency);
    return new StackProfile(
        name, title, match, batching, staticBatchSizes, prefillBuckets, maxRunningSequences,
        maxBatchTokens, memoryUtilization, fp8KvCache, reserveMaxTokens, copy);
  }

  public StackProfile withStaticBatchSizes(List<Integer> sizes) {
    return new StackProfile(
        name, title, match, batching, sizes, prefillBuckets, maxRunningSequences, maxBatchTokens,
        memoryUtilization, fp8KvCache, reserveMaxTokens, families);
  }

  public StackProfile withMaxRunningSequences(int sequences) {
    return new StackProfile(
        name, title, match, batching, staticBatchSizes, prefillBuckets, sequences, maxBatchTokens,
        memoryUtilization, fp8KvCache, reserveMaxTokens, families);
  }
}
