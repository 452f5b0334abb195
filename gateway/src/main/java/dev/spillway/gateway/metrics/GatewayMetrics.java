package dev.spillway.gateway.metrics;

import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * What the gateway records about requests, queues, batches and replicas, independent of any metrics
 * library (the shape of Caffeine's {@code StatsCounter}). The gateway core holds one of these and
 * never imports Prometheus; {@link PrometheusGatewayMetrics} is the implementation that does.
 *
 * <p>Contract for callers, and for every implementation:
 *
 * <ul>
 *   <li><b>Label values are configured names</b> — the model, pool, replica and tier names from the
 *       gateway's configuration, never raw client input (an unknown model from a request body is
 *       rejected before it reaches a metric). Each label set becomes a time series, so client text
 *       here would let any caller grow the metrics without bound. Implementations cap the distinct
 *       label sets per metric as a safety net; the cap is not the mechanism. The value
 *       {@code other} is reserved for that overflow.
 *   <li><b>Durations are {@code long} nanoseconds</b> measured on the caller's injected clock, never
 *       read here; counts and money are non-negative. Arguments are non-null.
 *   <li><b>Recording is cheap, thread-safe and never blocks</b>: it is called on event-loop threads,
 *       once or more per generated token.
 * </ul>
 */
public interface GatewayMetrics {

  /** Records nothing and accepts any argument; for tests and for running without metrics. */
  GatewayMetrics NOOP =
      new GatewayMetrics() {
        @Override
        public void requestFinished(String model, String pool, Outcome outcome, long endToEndNanos) {}

        @Override
        public void timeToFirstToken(String model, String pool, long nanos) {}

        @Override
        public void interTokenLatency(String model, String pool, long nanos) {}

        @Override
        public void gatewayOverhead(String model, long nanos) {}

        @Override
        public void queueWait(String model, String tier, long nanos) {}

        @Override
        public void queueDepth(String model, String tier, int depth) {}

        @Override
        public void queueRejected(String model, String tier) {}

        @Override
        public void batchFormed(String pool, int size) {}

        @Override
        public void tokens(String model, String pool, int prompt, int completion) {}

        @Override
        public void costAndPrice(String model, String pool, String tier, double costUsd, double priceUsd) {}

        @Override
        public void replicaLoad(String pool, String replica, int running, int waiting, double kvUsage) {}

        @Override
        public void cacheLookup(String model, boolean hit) {}

        @Override
        public String toString() {
          return "GatewayMetrics.NOOP";
        }
      };

  /** How a request ended, as seen by the client. */
  enum Outcome {
    /** The response completed (streamed or not). */
    SUCCESS,
    /** The request was invalid or named an unknown model (4xx other than 429). */
    CLIENT_ERROR,
    /** The request was refused for capacity: queue full or rate limited (429). */
    REJECTED,
    /** The backend failed or was unreachable (502/503). */
    BACKEND_ERROR,
    /** A deadline passed, in the queue or at the backend (504). */
    TIMEOUT,
    /** The client went away before the response completed. */
    CANCELLED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The label value, lower-case: {@code success}, {@code client_error}, ... */
    public String wireName() {
      return wireName;
    }
  }

  /**
   * A request finished: counts it by outcome and observes its end-to-end duration, from the
   * gateway receiving it to the last byte (or the error) sent.
   */
  void requestFinished(String model, String pool, Outcome outcome, long endToEndNanos);

  /** Time from the gateway receiving a request to sending its first token. */
  void timeToFirstToken(String model, String pool, long nanos);

  /** Time between two consecutive tokens of one response, as sent to the client. */
  void interTokenLatency(String model, String pool, long nanos);

  /**
   * {@link #interTokenLatency} for one model's pool, its labels looked up once, for a response to
   * record each of its tokens with; or null when calling {@link #interTokenLatency} costs no more
   * (the default, and {@link #NOOP}, whose empty calls the JIT removes where a handle would stay).
   */
  default LongConsumer interTokenLatencies(String model, String pool) {
    return null;
  }

  /**
   * Time a request spent in the gateway outside its backend: arrival to binding (queue wait included),
   * plus the backend's finish to the end of the response.
   */
  void gatewayOverhead(String model, long nanos);

  /** Time a request waited in the gateway's admission queue before being dispatched. */
  void queueWait(String model, String tier, long nanos);

  /** The current number of requests waiting in one admission queue (a gauge, set). */
  void queueDepth(String model, String tier, int depth);

  /** A request was refused because its admission queue was full. */
  void queueRejected(String model, String tier);

  /** A batch of {@code size} requests was dispatched to a pool together. */
  void batchFormed(String pool, int size);

  /** Tokens of one finished request: prompt tokens read and completion tokens generated. */
  void tokens(String model, String pool, int prompt, int completion);

  /**
   * Money of one finished request: what serving it cost (accelerator time) and what it is priced at
   * (list price × tier multiplier), both in US dollars.
   */
  void costAndPrice(String model, String pool, String tier, double costUsd, double priceUsd);

  /**
   * A replica's latest load (gauges, set): sequences running and waiting in its engine, and the
   * fraction of its KV cache in use, from 0 to 1.
   */
  void replicaLoad(String pool, String replica, int running, int waiting, double kvUsage);

  /**
   * A model's response cache was consulted for a deterministic request: {@code hit} when it held the
   * answer, which then no replica serves.
   */
  void cacheLookup(String model, boolean hit);

  /**
   * A request of {@code tenant} (a configured name) refused by one of its limits: {@code requests},
   * {@code tokens}, {@code budget}, or {@code store} (the shared store out of reach, failing closed).
   */
  default void quotaRejected(String tenant, String limit) {}

  /**
   * Whether the quota store {@code store} ({@code memory} or {@code redis}) answers; set when it
   * changes.
   */
  default void quotaStoreUp(String store, boolean up) {}

  /**
   * One admission decided without the shared store, which was out of reach: {@code mode} is
   * {@code local} (this replica's own limits decided) or {@code closed} (refused with 503).
   */
  default void quotaWithoutStore(String mode) {}

  /**
   * The state of a replica's circuit breaker, set at start and at every change: {@code closed},
   * {@code open} or {@code half_open}.
   */
  default void circuitBreakerState(String pool, String replica, String state) {}

  /** A replica's circuit breaker moved into {@code state} ({@code closed}, {@code open}, {@code half_open}). */
  default void circuitBreakerTransition(String pool, String replica, String state) {}

  /** A request that failed on {@code pool} before its first token is tried again, within the pool's retry budget. */
  default void retried(String pool) {}

  /** A request that failed on {@code pool} before its first token is not retried: the pool's retry budget is spent. */
  default void retryBudgetExhausted(String pool) {}

  /** An attempt on {@code pool} passed its {@code deadline} ({@code first_token} or {@code total}) and was cancelled. */
  default void attemptTimedOut(String pool, String deadline) {}

  /** A request of {@code tier} was refused or dropped from the queue: at the model's pace it would miss its deadline. */
  default void shed(String model, String tier) {}

  /** A request whose attempts on {@code model} all failed before its client saw anything went on to {@code fallback}. */
  default void fellBack(String model, String fallback) {}
}
