package dev.spillway.gateway.core;

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

  /** True once every pool has its replicas. */
  boolean ready();

  /**
   * A model as clients see it.
   *
   * @param created Unix seconds, for {@code /v1/models}
   * @param contextTokens the longest prompt plus output any of its pools accepts
   * @param embeddingDimensions vector size for embedding models; 0 otherwise
   */
  record ModelInfo(
      String name,
      List<String> aliases,
      boolean embedding,
      int embeddingDimensions,
      int contextTokens,
      int defaultMaxTokens,
      long created,
      List<String> pools) {}

  /**
   * One pool for {@code /admin/pools}.
   *
   * @param replicas the replicas that are provisioning, serving or draining
   * @param serving replicas the router may use
   * @param provisioning replicas asked for and not yet serving
   * @param draining replicas retired and finishing what they hold
   * @param replicaSeconds replicas billed (provisioning, serving, draining) times time, since start
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
      double replicaSeconds) {

    /** A pool whose replicas all serve, with no bill yet. */
    public PoolStatus(
        String pool, String model, String kind, String description, List<ReplicaStatus> replicas,
        double predictedTtftMs, double predictedTpotMs, double predictedCostUsd) {
      this(
          pool, model, kind, description, replicas, predictedTtftMs, predictedTpotMs, predictedCostUsd,
          replicas.size(), 0, 0, 0);
    }
  }

  /**
   * One replica's load.
   *
   * @param state {@code provisioning}, {@code serving} or {@code draining}
   */
  record ReplicaStatus(
      String id, int running, int waiting, double kvUsage, long outstandingTokens, String state) {

    /** A serving replica. */
    public ReplicaStatus(String id, int running, int waiting, double kvUsage, long outstandingTokens) {
      this(id, running, waiting, kvUsage, outstandingTokens, "serving");
    }
  }
}
