package dev.spillway.backends.emulator;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * Fitted factors of one serving stack on one accelerator family: how far from the roofline it runs and
 * what it pays per step. Fitted against published measurements (docs/calibration.md), never per row.
 *
 * @param mfu achieved fraction of dense peak FLOP/s in matrix work
 * @param weightMbu achieved fraction of memory bandwidth when streaming weights
 * @param kvMbu achieved fraction of memory bandwidth when reading the KV cache (attention)
 * @param commEfficiency achieved fraction of chip-to-chip bandwidth in tensor-parallel all-reduces
 * @param layerMs fixed cost per layer per step at TP=1 (launches, synchronisation, collectives)
 * @param layerMsPerDoubling added per layer per step for each doubling of the tensor-parallel degree
 * @param layerSeqMs added per layer per step for each sequence in the batch
 * @param layerTokenUs added per layer for each token computed in the step (non-matrix work), in
 *     microseconds
 * @param stepMs fixed cost per step (scheduling, sampling)
 * @param prefillMs fixed cost of a step that contains prefill work (graph switch on Neuron)
 * @param admissionMs per-request latency before its first step that does not occupy the engine (API
 *     front end, tokenisation); 0 for most stacks
 * @param waferHopMs on wafer-scale systems, the added per-token latency of each extra wafer a model
 *     spans; 0 elsewhere
 * @param hostRequestMs host (CPU) time the serving process spends on each request before the engine
 *     sees it (parsing, chat template), on the one host thread it shares with token streaming
 * @param hostPromptUs host time per prompt token on that thread (tokenisation), in microseconds
 * @param hostTokenUs host time per generated token on that thread (detokenisation, the streamed
 *     chunk), in microseconds; a token reaches the client only once the host has handled it
 */
public record Efficiency(
    double mfu,
    double weightMbu,
    double kvMbu,
    double commEfficiency,
    double layerMs,
    double layerMsPerDoubling,
    double layerSeqMs,
    double layerTokenUs,
    double stepMs,
    double prefillMs,
    double admissionMs,
    double waferHopMs,
    @JsonSetter(nulls = Nulls.AS_EMPTY) double hostRequestMs,
    @JsonSetter(nulls = Nulls.AS_EMPTY) double hostPromptUs,
    @JsonSetter(nulls = Nulls.AS_EMPTY) double hostTokenUs) {

  public Efficiency {
    Profiles.fraction("mfu", mfu);
    Profiles.fraction("weightMbu", weightMbu);
    Profiles.fraction("kvMbu", kvMbu);
    Profiles.fraction("commEfficiency", commEfficiency);
    Profiles.nonNegative("layerMs", layerMs);
    Profiles.nonNegative("layerMsPerDoubling", layerMsPerDoubling);
    Profiles.nonNegative("layerSeqMs", layerSeqMs);
    Profiles.nonNegative("layerTokenUs", layerTokenUs);
    Profiles.nonNegative("stepMs", stepMs);
    Profiles.nonNegative("prefillMs", prefillMs);
    Profiles.nonNegative("admissionMs", admissionMs);
    Profiles.nonNegative("waferHopMs", waferHopMs);
    Profiles.nonNegative("hostRequestMs", hostRequestMs);
    Profiles.nonNegative("hostPromptUs", hostPromptUs);
    Profiles.nonNegative("hostTokenUs", hostTokenUs);
  }

  /** Whether the serving process's host thread is modelled (any host cost is set). */
  public boolean hasHost() {
    return hostRequestMs > 0 || hostPromptUs > 0 || hostTokenUs > 0;
  }

  /** Returns the parameters as an array, in declaration order: for fitting. */
  public double[] toArray() {
    return new double[] {
      mfu, weightMbu, kvMbu, commEfficiency, layerMs, layerMsPerDoubling, layerSeqMs, layerTokenUs,
      stepMs, prefillMs, admissionMs, waferHopMs, hostRequestMs, hostPromptUs, hostTokenUs
    };
  }

  public static Efficiency fromArray(double[] p) {
    return new Efficiency(
        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
        p[14]);
  }

  public static final String[] NAMES = {
    "mfu", "weightMbu", "kvMbu", "commEfficiency", "layerMs", "layerMsPerDoubling", "layerSeqMs",
    "layerTokenUs", "stepMs", "prefillMs", "admissionMs", "waferHopMs", "hostRequestMs",
    "hostPromptUs", "hostTokenUs"
  };
}
