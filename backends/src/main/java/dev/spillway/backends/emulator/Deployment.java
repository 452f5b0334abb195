package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

/**
 * One model placed on part or all of one accelerator instance with one serving stack: the facts a
 * replica's latency, capacity and cost follow from.
 *
 * <p>Tensor parallelism counts ranks as the stack does: NeuronCores on Trainium and Inferentia (so
 * TP=64 on trn2.48xlarge spans 16 chips), GPUs on NVIDIA, wafers on Cerebras.
 */
public final class Deployment {

  /** KV-cache block size in tokens, as vLLM's default. */
  public static final int KV_BLOCK_TOKENS = 16;

  private final AcceleratorProfile accelerator;
  private final ModelProfile model;
  private final StackProfile stack;
  private final Efficiency efficiency;
  private final int tp;
  private final int chipsUsed;
  private final Dtype weightDtype;
  private final Dtype computeDtype;
  private final Dtype kvDtype;
  private final double weightBytes;
  private final double kvBytesPerToken;
  private final long kvBlocks;

  private Deployment(
      AcceleratorProfile accelerator,
      ModelProfile model,
      StackProfile stack,
      Efficiency efficiency,
      int tp,
      int chipsUsed,
      Dtype weightDtype) {
    this.accelerator = accelerator;
    this.model = model;
    this.stack = stack;
    this.efficiency = efficiency;
    this.tp = tp;
    this.chipsUsed = chipsUsed;
    this.weightDtype = weightDtype;
    // Weight-only INT8 computes in BF16; FP8 and FP4 weights use the chip's native formats.
    this.computeDtype = weightDtype == Dtype.INT8 ? Dtype.BF16 : weightDtype;
    this.kvDtype = stack.fp8KvCache() && weightDtype.bytes() <= 1 ? Dtype.FP8 : Dtype.BF16;
    this.weightBytes = model.parameters() * weightDtype.bytes();
    // Tensor parallelism beyond the KV heads replicates them (Neuron's GQA conversion).
    double replication =
        stack.batching() == Batching.WAFER ? 1.0 : Math.max(1.0, (double) tp / model.kvHeads());
    this.kvBytesPerToken = model.kvElementsPerToken() * kvDtype.bytes() * replication;
    double free = memoryBytes() * stack.memoryUtilization() - weightBytes;
    this.kvBlocks = (long) Math.max(0, Math.floor(free / (kvBytesPerToken * KV_BLOCK_TOKENS)));
  }

  /**
   * Places {@code model} on {@code accelerator}.
   *
   * @param stack the serving stack, or null for the accelerator's default
   * @param tp tensor-parallel ranks, or 0 for the smallest power of two that leaves room for KV cache
   * @param weightDtype weight format, or null for the model's
   */
  public static Deployment of(
      Profiles profiles, AcceleratorProfile accelerator, ModelProfile model, StackProfile stack,
      int tp, Dtype weightDtype) {
    requireNonNull(accelerator, "accelerator");
    requireNonNull(model, "model");
    StackProfile s = stack != null ? stack : profiles.stack(accelerator.stack());
    Dtype dtype = weightDtype != null ? weightDtype : model.dtype();
    Efficiency efficiency = s.efficiency(accelerator.family());
    double weights = model.parameters() * dtype.bytes();
    ChipSpec chip = accelerator.chip();
    if (s.batching() == Batching.WAFER) {
      int wafers = (int) Math.ceil(weights / chip.memoryBytes());
      int ranks = Math.max(Math.max(tp, wafers), 1);
      Deployment d = new Deployment(accelerator, model, s, efficiency, ranks, ranks, dtype);
      if (d.kvBlocks * KV_BLOCK_TOKENS < model.contextTokens() && tp == 0) {
        d = new Deployment(accelerator, model, s, efficiency, ranks + 1, ranks + 1, dtype);
      }
      return d;
    }
    int ranks = tp > 0 ? tp : defaultTp(accelerator, s, weights);
    if (ranks > accelerator.cores()) {
      throw new IllegalArgumentException(
          "tp: " + ranks + " (expected: <= " + accelerator.cores() + " ranks on " + accelerator.name() + ")");
    }
    int chips = (int) Math.ceil((double) ranks / accelerator.coresPerChip());
    Deployment d = new Deployment(accelerator, model, s, efficiency, ranks, chips, dtype);
    if (d.kvBlocks == 0) {
      throw new IllegalArgumentException(
          model.name() + " on " + accelerator.name() + " tp=" + ranks + ": weights of "
              + Math.round(weights / 1e9) + " GB leave no room for KV cache (expected: a larger tp)");
    }
    return d;
  }

  /** The smallest power-of-two rank count whose memory holds the weights in at most 60% of it. */
  private static int defaultTp(AcceleratorProfile accelerator, StackProfile stack, double weights) {
    double perRank = accelerator.chip().memoryBytes() / accelerator.coresPerChip();
    for (int ranks = 1; ranks <= accelerator.cores(); ranks *= 2) {
      if (weights <= 0.6 * perRank * ranks * stack.memoryUtilization()) {
        return ranks;
      }
    }
    return accelerator.cores();
  }

  public AcceleratorProfile accelerator() {
    return accelerator;
  }

  public ModelProfile model() {
    return model;
  }

  public StackProfile stack() {
    return stack;
  }

  public Efficiency efficiency() {
    return efficiency;
  }

  public int tp() {
    return tp;
  }

  public int chipsUsed() {
    return chipsUsed;
  }

  public Dtype weightDtype() {
    return weightDtype;
  }

  public Dtype computeDtype() {
    return computeDtype;
  }

  public Dtype kvDtype() {
    return kvDtype;
  }

  public double weightBytes() {
    return weightBytes;
  }

  /** KV-cache bytes one token occupies on this replica, replication included. */
  public double kvBytesPerToken() {
    return kvBytesPerToken;
  }

  public long kvBlocks() {
    return kvBlocks;
  }

  /** Device memory of the chips used, in bytes. */
  public double memoryBytes() {
    return accelerator.chip().memoryBytes() * chipsUsed;
  }

  /** Aggregate dense peak FLOP/s of the chips used, at the compute format. */
  public double peakFlops() {
    return accelerator.chip().flopsPerSecond(computeDtype) * chipsUsed;
  }

  /** Aggregate memory bandwidth of the chips used, in bytes per second. */
  public double memoryBandwidth() {
    return accelerator.chip().memoryBytesPerSecond() * chipsUsed;
  }

  /** What the replica costs per second of wall time: its share of the on-demand instance price. */
  public double costPerSecond() {
    return accelerator.pricePerHour() / 3600.0 * chipsUsed / accelerator.chips();
  }

  /** What the replica costs per second of wall time under {@code plan}: its share of the instance price. */
  public double costPerSecond(PricingPlan plan) {
    return accelerator.pricePerHour(plan) / 3600.0 * chipsUsed / accelerator.chips();
  }

  public Deployment withEfficiency(Efficiency e) {
    return new Deployment(accelerator, model, stack, e, tp, chipsUsed, weightDtype);
  }

  /**
   * For a startup banner or a table: {@code p5.48xlarge tp=2 (2 of 8 chips) fp8 trtllm}. A wafer-scale
   * replica spans whole systems, so it counts them: {@code cs-3 tp=5 (5 systems of 1 wafer each) bf16
   * cerebras}.
   */
  @Override
  public String toString() {
    String placement;
    if (stack.batching() == Batching.WAFER) {
      int wafers = accelerator.chips();
      int systems = (chipsUsed + wafers - 1) / wafers;
      placement =
          systems + (systems == 1 ? " system" : " systems") + " of " + wafers
              + (wafers == 1 ? " wafer" : " wafers") + (systems == 1 ? "" : " each");
    } else {
      placement = chipsUsed + " of " + accelerator.chips() + " chips";
    }
    return accelerator.name() + " tp=" + tp + " (" + placement + ") " + weightDtype.wireName() + " "
        + stack.name();
  }
}
