package dev.spillway.gateway.core;

import dev.spillway.backends.emulator.Faults;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What the API layer sees of the core. Every method may be called from any thread and returns at once;
 * what a request goes through is reported to its listener on the listener's executor.
 */
public interface Gateway {

  /** Configured models, in configuration order. */
  List<ModelInfo> models();

  /** The model with this name or alias. */
  Optional<ModelInfo> model(String nameOrAlias);

  /**
   * Admits {@code request} into its model's queue, or rejects it at once through
   * {@link GatewayListener#onError} (unknown model, full queue, request too large).
   */
  Admission submit(GatewayRequest request, GatewayListener listener);

  /**
   * Every pool with its replicas' load and a prediction for a typical request, read on each model's
   * thread; completes on one of them.
   */
  CompletionStage<List<PoolStatus>> pools();

  /**
   * Replaces the faults every replica of emulated pool {@code pool} injects ({@link Faults#NONE}
   * clears them), on its model's thread; completes there with the faults now in force, or
   * exceptionally with {@link java.util.NoSuchElementException} for an unknown pool and
   * {@link UnsupportedOperationException} for a pool that is not emulated.
   */
  CompletionStage<Faults> setFaults(String pool, Faults faults);

  /** True once every pool has its replicas. */
  boolean ready();

  /**
   * A model as clients see it.
   *
   * @param created Unix seconds, for {@code /v1/models}
   * @param contextTokens the longest prompt plus output any of its pools accepts
   * @param embeddingDimensions vector size for embedding models; 0 otherwise
   * @param cached whether it has a response cache, so a front end knows whether a request's
   *     canonical form is worth building
   */
  record ModelInfo(
      String name,
      List<String> aliases,
      boolean embedding,
      int embeddingDimensions,
      int contextTokens,
      int defaultMaxTokens,
      long created,
      List<String> pools,
      boolean cached) {

    /** A model without a response cache. */
    public ModelInfo(
        String name, List<String> aliases, boolean embedding, int embeddingDimensions, int contextTokens,
        int defaultMaxTokens, long created, List<String> pools) {
      this(name, aliases, embedding, embeddingDimensions, contextTokens, defaultMaxTokens, created, pools, false);
    }
  }

  /**
   * One pool for {@code /admin/pools}.
   *
   * @param replicas the replicas that are provisioning, serving or draining
   * @param serving replicas the router may use
   * @param provisioning replicas asked for and not yet serving
   * @param draining replicas retired and finishing what they hold
   * @param replicaSeconds replicas billed (provisioning, serving, draining) times time, since start
   * @param predictionError how the predictions routing decided on compared with what then happened
   */
  record PoolStatus(
      String pool,
      String model,
      String kind,
      String description,
      List<ReplicaStatus> replicas,
      double predictedTtftMs,
      double predictedTpotMs,
      double predictedCostUsd,
      int serving,
      int provisioning,
      int draining,
      double replicaSeconds,
      PredictionError predictionError) {

    /** A pool whose replicas all serve, with no bill yet. */
    public PoolStatus(
        String pool, String model, String kind, String description, List<ReplicaStatus> replicas,
        double predictedTtftMs, double predictedTpotMs, double predictedCostUsd,
        PredictionError predictionError) {
      this(
          pool, model, kind, description, replicas, predictedTtftMs, predictedTpotMs, predictedCostUsd,
          replicas.size(), 0, 0, 0, predictionError);
    }

    /** A pool whose replicas all serve, with no bill and no finished request yet. */
    public PoolStatus(
        String pool, String model, String kind, String description, List<ReplicaStatus> replicas,
        double predictedTtftMs, double predictedTpotMs, double predictedCostUsd) {
      this(
          pool, model, kind, description, replicas, predictedTtftMs, predictedTpotMs, predictedCostUsd,
          PredictionError.NONE);
    }
  }

  /**
   * The error of a pool's predictions (made for the chosen replica when a request was bound) against
   * the request's outcome, over its most recent finished requests. Errors are relative,
   * {@code (predicted − actual) / actual}: 0.1 is 10% over, −0.1 10% under. Medians are null without
   * samples.
   *
   * @param samples finished requests of the pool since the gateway started
   * @param window the most recent finished requests the medians may cover
   * @param ttftSamples TTFT samples the TTFT medians are over (at most {@code window})
   * @param ttftMedianAbsError median of |relative error| of TTFT, measured from binding
   * @param ttftMedianBias median of the signed relative error of TTFT
   * @param tpotSamples TPOT samples the TPOT medians are over: responses of two tokens or more
   * @param tpotMedianAbsError median of |relative error| of TPOT
   * @param tpotMedianBias median of the signed relative error of TPOT
   */
  record PredictionError(
      long samples,
      int window,
      int ttftSamples,
      Double ttftMedianAbsError,
      Double ttftMedianBias,
      int tpotSamples,
      Double tpotMedianAbsError,
      Double tpotMedianBias) {

    /** No finished request yet. */
    public static final PredictionError NONE = new PredictionError(0, 0, 0, null, null, 0, null, null);
  }

  /**
   * One replica's load.
   *
   * @param state {@code provisioning}, {@code serving} or {@code draining}
   * @param circuitBreaker its circuit breaker: {@code closed}, {@code open} or {@code half_open}
   * @param health what its active health check last found: {@code up}, {@code down}, or
   *     {@code unchecked} when it has none
   */
  record ReplicaStatus(
      String id, int running, int waiting, double kvUsage, long outstandingTokens, String state,
      String circuitBreaker, String health) {

    /** A serving replica with a closed breaker and no health check. */
    public ReplicaStatus(String id, int running, int waiting, double kvUsage, long outstandingTokens) {
      this(id, running, waiting, kvUsage, outstandingTokens, "serving", "closed", "unchecked");
    }
  }
}
