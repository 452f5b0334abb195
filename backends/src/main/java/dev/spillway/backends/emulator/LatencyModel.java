package dev.spillway.backends.emulator;

/**
 * The duration of one engine step, from the roofline terms of the work in it plus the fixed costs the
 * serving stack pays per layer, per sequence and per step.
 *
 * <pre>
 * flops    = 2·P_active·T + 4·L·(heads·headDim)·A        T new tokens, A = Σ n_i·(c_i + (n_i+1)/2)
 * bytes    = weights read / weightMbu + Σ (c_i + n_i)·kvBytesPerToken / kvMbu     (per bandwidth)
 * comm     = 2·L·2·(TP−1)/TP·T·d·2 bytes / (link bandwidth·commEfficiency)        (TP > 1 chip)
 * t_step   = max(flops/(F·mfu), bytes/BW) + comm + L·(a + a₂·log₂TP + a_seq·B + a_tok·T) + t₀
 *            (+ t_prefill when the step prefills)
 * </pre>
 *
 * <p>Wafer-scale systems keep weights in SRAM, so there is no bandwidth term: a token's latency is the
 * per-layer cost plus a hop for each extra wafer the model spans.
 */
public final class LatencyModel {

  private final Deployment deployment;
  private final double activeParams;
  private final double flopsPerSecond;
  private final double bandwidth;
  private final double attentionWidth;
  private final int layers;
  private final double layerFixedSeconds;
  private final double layerSeqSeconds;
  private final double layerTokenSeconds;
  private final double stepSeconds;
  private final double prefillSeconds;
  private final double commSecondsPerToken;
  private final boolean wafer;
  private final Efficiency e;

  public LatencyModel(Deployment deployment) {
    this.deployment = deployment;
    this.e = deployment.efficiency();
    ModelProfile m = deployment.model();
    this.activeParams = m.activeParameters();
    this.flopsPerSecond = deployment.peakFlops() * e.mfu();
    this.bandwidth = deployment.memoryBandwidth();
    this.attentionWidth = (double) m.heads() * m.headDim();
    this.layers = m.layers();
    this.wafer = deployment.stack().batching() == Batching.WAFER;
    int tp = deployment.tp();
    double log2Tp = tp > 1 ? Math.log(tp) / Math.log(2) : 0;
    double layerMs = wafer ? e.layerMs() : e.layerMs() + e.layerMsPerDoubling() * log2Tp;
    double hops = wafer ? (deployment.chipsUsed() - 1) * e.waferHopMs() : 0;
    this.layerFixedSeconds = (layers * layerMs + hops) / 1e3;
    this.layerSeqSeconds = layers * e.layerSeqMs() / 1e3;
    this.layerTokenSeconds = layers * e.layerTokenUs() / 1e6;
    this.stepSeconds = e.stepMs() / 1e3;
    this.prefillSeconds = e.prefillMs() / 1e3;
    double link = deployment.accelerator().chip().linkBytesPerSecond();
    if (!wafer && deployment.chipsUsed() > 1 && link > 0) {
      double bytesPerToken = 2.0 * layers * 2.0 * (tp - 1) / tp * m.dModel() * 2.0;
      this.commSecondsPerToken = bytesPerToken / (link * e.commEfficiency());
    } else {
      this.commSecondsPerToken = 0;
    }
  }

  public Deployment deployment() {
    return deployment;
  }

  /**
   * Seconds one step takes.
   *
   * @param sequences sequences the step works on (compiled batch slots for static engines)
   * @param newTokens tokens computed in the step (prefill chunks plus one per decoding sequence)
   * @param attentionWork Σ n_i·(c_i + (n_i+1)/2) over the sequences: query tokens times the context
   *     each attends to
   * @param kvTokensRead Σ (c_i + n_i): KV-cache tokens the step reads
   * @param prefill whether any sequence in the step is prefilling
   */
  public double stepSeconds(
      int sequences, long newTokens, double attentionWork, double kvTokensRead, boolean prefill) {
    double flops = 2.0 * activeParams * newTokens + 4.0 * layers * attentionWidth * attentionWork;
    double compute = flops / flopsPerSecond;
    double fixed =
        layerFixedSeconds
            + layerSeqSeconds * sequences
            + layerTokenSeconds * newTokens
            + stepSeconds
            + (prefill ? prefillSeconds : 0);
    if (wafer) {
      return compute + fixed;
    }
    double weightBytes =
        deployment.model().parametersRead(newTokens) * deployment.weightDtype().bytes();
    double memory =
        weightBytes / (bandwidth * e.weightMbu())
            + kvTokensRead * deployment.kvBytesPerToken() / (bandwidth * e.kvMbu());
    return Math.max(compute, memory) + commSecondsPerToken * newTokens + fixed;
  }

  /** A step of {@code batch} sequences each decoding one token at mean context {@code context}. */
  public double decodeSeconds(int batch, double context) {
    return stepSeconds(batch, batch, batch * (context + 1), batch * (context + 1), false);
  }

  /** A step prefilling {@code tokens} prompt tokens of one sequence from scratch. */
  public double prefillSeconds(int tokens) {
    return stepSeconds(1, tokens, tokens * (tokens + 1) / 2.0, tokens, true);
  }

  /** Host time the serving process spends on a request of {@code promptTokens} before the engine. */
  public double hostRequestSeconds(int promptTokens) {
    return e.hostRequestMs() / 1e3 + e.hostPromptUs() * promptTokens / 1e6;
  }

  /** Host time the serving process spends on each generated token before the client sees it. */
  public double hostTokenSeconds() {
    return e.hostTokenUs() / 1e6;
  }

  /** Per-request latency outside the engine (the service front end), in seconds. */
  public double admissionSeconds() {
    return e.admissionMs() / 1e3;
  }
}
