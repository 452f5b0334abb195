package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A model's architecture, from its published configuration. Dense models leave the expert fields at 0.
 *
 * @param layers transformer blocks
 * @param dModel hidden size
 * @param heads query heads
 * @param kvHeads key/value heads (grouped-query attention)
 * @param headDim dimension per head
 * @param ffn feed-forward inner size (per expert for mixture-of-experts models)
 * @param vocab vocabulary size
 * @param experts routed experts per layer; 0 for dense models
 * @param expertsPerToken experts each token activates
 * @param contextTokens the longest context the model supports
 * @param embedding true for embedding models (no generation)
 */
public record ModelProfile(
    String name,
    List<String> aliases,
    int layers,
    int dModel,
    int heads,
    int kvHeads,
    int headDim,
    int ffn,
    int vocab,
    int experts,
    int expertsPerToken,
    int contextTokens,
    Dtype dtype,
    boolean embedding,
    String source) {

  public ModelProfile {
    requireNonNull(name, "name");
    aliases = aliases == null ? List.of() : List.copyOf(aliases);
    Profiles.positive(name + ".layers", layers);
    Profiles.positive(name + ".dModel", dModel);
    Profiles.positive(name + ".heads", heads);
    Profiles.positive(name + ".kvHeads", kvHeads);
    Profiles.positive(name + ".headDim", headDim);
    Profiles.positive(name + ".ffn", ffn);
    Profiles.positive(name + ".vocab", vocab);
    Profiles.positive(name + ".contextTokens", contextTokens);
    dtype = dtype == null ? Dtype.BF16 : dtype;
    source = source == null ? "" : source;
    if (experts > 0 && (expertsPerToken < 1 || expertsPerToken > experts)) {
      throw new IllegalArgumentException(
          name + ".expertsPerToken: " + expertsPerToken + " (expected: 1 to " + experts + ")");
    }
  }

  /** Attention parameters per layer: Q and O projections, and K and V projections. */
  private double attentionParametersPerLayer() {
    double q = (double) dModel * heads * headDim;
    double kv = 2.0 * dModel * kvHeads * headDim;
    return 2 * q + kv;
  }

  /** Gated MLP (SwiGLU): three matrices of dModel x ffn, per expert. */
  private double mlpParametersPerExpert() {
    return 3.0 * dModel * ffn;
  }

  /** Parameters outside routed experts: embeddings, attention, norms, dense MLPs, router. */
  public double sharedParameters() {
    double perLayer = attentionParametersPerLayer() + 2.0 * dModel;
    if (experts == 0) {
      perLayer += mlpParametersPerExpert();
    } else {
      perLayer += (double) dModel * experts;
    }
    return layers * perLayer + 2.0 * vocab * dModel;
  }

  /** Parameters in routed experts, over all layers; 0 for dense models. */
  public double expertParameters() {
    return experts == 0 ? 0 : (double) layers * experts * mlpParametersPerExpert();
  }

  /** All parameters: what must sit in memory. */
  public double parameters() {
    return sharedParameters() + expertParameters();
  }

  /** Parameters one token passes through: what sets the FLOPs per token. */
  public double activeParameters() {
    if (experts == 0) {
      return parameters();
    }
    return sharedParameters() + (double) layers * expertsPerToken * mlpParametersPerExpert();
  }

  /**
   * Parameters a step over {@code tokens} tokens must read: all of a dense model; for a mixture of
   * experts, the shared part plus the experts the batch is expected to touch when each token picks
   * {@code expertsPerToken} of {@code experts} at random.
   */
  public double parametersRead(double tokens) {
    if (experts == 0) {
      return parameters();
    }
    double untouched = Math.pow(1.0 - (double) expertsPerToken / experts, Math.max(1.0, tokens));
    return sharedParameters() + expertParameters() * (1.0 - untouched);
  }

  /** KV-cache elements per token over all layers (K and V), before dividing by tensor parallelism. */
  public double kvElementsPerToken() {
    return 2.0 * layers * kvHeads * headDim;
  }

  /** The same architecture with a different context limit (calibration runs published 8k Llama 2). */
  public ModelProfile withContextTokens(int tokens) {
    return new ModelProfile(
        name, aliases, layers, dModel, heads, kvHeads, headDim, ffn, vocab, experts, expertsPerToken,
        tokens, dtype, embedding, source);
  }

  public boolean matches(String candidate) {
    String wanted = Profiles.normalizeModel(candidate);
    if (Profiles.normalizeModel(name).equals(wanted)) {
      return true;
    }
    for (String alias : aliases) {
      if (Profiles.normalizeModel(alias).equals(wanted)) {
        return true;
      }
    }
    return false;
  }
}
