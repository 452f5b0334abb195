package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Latency-model terms against values computed by hand (the arithmetic is in the comments). */
class LatencyModelTest {

  private final Profiles profiles = Profiles.builtIn();

  /** mfu 0.5, full bandwidth, 0.1 ms per layer per step, nothing else: easy to compute by hand. */
  private static final Efficiency SIMPLE =
      new Efficiency(0.5, 1.0, 1.0, 1.0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  private Deployment h100(String model, int tp, Dtype dtype) {
    return Deployment.of(
            profiles, profiles.accelerator("p5.48xlarge"), profiles.model(model),
            profiles.stack("trtllm"), tp, dtype)
        .withEfficiency(SIMPLE);
  }

  @Test
  void llama8bParametersFollowFromItsArchitecture() {
    // per layer: attention 2·4096·32·128 + 2·4096·8·128 = 41,943,040; norms 8,192;
    // MLP 3·4096·14336 = 176,160,768 → 218,112,000 × 32 = 6,979,584,000
    // embeddings and head 2·128256·4096 = 1,050,673,152 → 8,030,257,152
    ModelProfile m = profiles.model("llama-3.1-8b");
    assertThat(m.parameters()).isEqualTo(8_030_257_152.0);
    // KV per token: 2 (K,V) · 32 layers · 8 heads · 128 = 65,536 elements
    assertThat(m.kvElementsPerToken()).isEqualTo(65_536.0);
  }

  @Test
  void decodeStepIsBandwidthBoundPlusPerLayerCost() {
    Deployment d = h100("llama-3.1-8b", 1, Dtype.BF16);
    // weights 16,060,514,304 B / 3.35e12 B/s = 4.794183 ms
    // KV read 1000 tokens · 131,072 B = 131,072,000 B / 3.35e12 = 0.039126 ms
    // compute (2·8.03e9 + 4·32·4096·1000)/(989e12·0.5) = 0.0335 ms, so memory wins
    // per layer 32 · 0.1 ms = 3.2 ms  →  8.033309 ms
    double seconds = new LatencyModel(d).decodeSeconds(1, 999);
    assertThat(seconds * 1e3).isCloseTo(8.033309, within(1e-5));
  }

  @Test
  void prefillStepIsComputeBoundWithCausalAttention() {
    Deployment d = h100("llama-3.1-8b", 1, Dtype.BF16);
    // linear 2·8,030,257,152·1000 = 16,060,514,304,000 FLOP
    // attention 4·32·4096 · Σ(c + (n+1)/2) = 524,288 · 1000·500.5 = 262,406,144,000 FLOP
    // total 16,322,920,448,000 / (989e12·0.5) = 33.008939 ms; + 3.2 ms per-layer cost
    double seconds = new LatencyModel(d).prefillSeconds(1000);
    assertThat(seconds * 1e3).isCloseTo(36.208939, within(1e-5));
  }

  @Test
  void fp8WeightsHalveTheBytesAndUseFp8Peak() {
    Deployment bf16 = h100("llama-3.1-8b", 1, Dtype.BF16);
    Deployment fp8 = h100("llama-3.1-8b", 1, Dtype.FP8);
    assertThat(fp8.weightBytes()).isEqualTo(bf16.weightBytes() / 2);
    assertThat(fp8.peakFlops()).isEqualTo(1979e12);
    // trtllm keeps the KV cache in FP8 for 8-bit models
    assertThat(fp8.kvBytesPerToken()).isEqualTo(65_536.0);
  }

  @Test
  void tensorParallelAllReduceAddsLinkTimePerToken() {
    Deployment d = h100("llama-3.3-70b", 2, Dtype.BF16);
    LatencyModel model = new LatencyModel(d);
    // all-reduce bytes per token: 2 per layer · 80 layers · 2·(2−1)/2 · 8192 · 2 B = 2,621,440 B
    // at 450 GB/s = 5.825422 µs per token; for 1000 tokens 5.825422 ms
    double withComm = model.stepSeconds(1, 1000, 0, 0, false);
    Deployment single = h100("llama-3.3-70b", 1, Dtype.FP8);
    double flops = 2.0 * d.model().activeParameters() * 1000 / (2 * 989e12 * 0.5);
    double memory = d.weightBytes() / (2 * 3350e9);
    double expected = Math.max(flops, memory) + 80 * 0.1e-3 + 5.825422e-3;
    assertThat(withComm).isCloseTo(expected, within(1e-8));
    assertThat(single.chipsUsed()).isEqualTo(1);
  }

  @Test
  void neuronTensorParallelismCountsCoresAndReplicatesKvHeads() {
    Deployment d =
        Deployment.of(
            profiles, profiles.accelerator("trn2.48xlarge"), profiles.model("llama-3.3-70b"), null,
            64, null);
    // TP64 at LNC=2 is 16 chips; 64 ranks over 8 KV heads replicate the cache 8 times
    assertThat(d.chipsUsed()).isEqualTo(16);
    assertThat(d.kvBytesPerToken()).isEqualTo(8 * 2.0 * 80 * 8 * 128 * 2);
    assertThat(d.costPerSecond()).isCloseTo(35.76 / 3600, within(1e-12));
  }

  @Test
  void waferStepHasNoBandwidthTermButAHopPerExtraWafer() {
    Deployment d =
        Deployment.of(
                profiles, profiles.accelerator("cs-3"), profiles.model("llama-3.1-405b"), null, 0,
                null)
            .withEfficiency(new Efficiency(0.5, 1, 1, 1, 0.005, 0, 0, 0, 0, 0, 0, 0.02, 0, 0, 0));
    // 405B bf16 = 811.7 GB over 44 GB wafers → 19 wafers, one more for KV room = 20
    assertThat(d.chipsUsed()).isEqualTo(20);
    double step = new LatencyModel(d).decodeSeconds(1, 0);
    double compute =
        (2 * d.model().activeParameters() + 4.0 * 126 * 16384) / (20 * 125_000e12 * 0.5);
    // 126 layers · 0.005 ms + 19 hops · 0.02 ms = 1.01 ms
    assertThat(step).isCloseTo(1.01e-3 + compute, within(1e-9));
  }

  @Test
  void mixtureOfExpertsReadsOnlyTheExpertsABatchTouches() {
    ModelProfile m = profiles.model("gpt-oss-120b");
    assertThat(m.parameters()).isBetween(116e9, 118e9);
    assertThat(m.activeParameters()).isBetween(5e9, 6e9);
    // one token touches 4 of 128 experts; a large batch touches nearly all
    double one = m.parametersRead(1);
    assertThat(one - m.sharedParameters())
        .isCloseTo(m.expertParameters() * 4 / 128, within(1e3));
    assertThat(m.parametersRead(4096)).isCloseTo(m.parameters(), within(m.parameters() * 1e-6));
  }
}
