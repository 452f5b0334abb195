package dev.spillway.gateway.metrics;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * {@link GatewayMetrics} recorded into Prometheus client_java metrics in a registry of its own, and
 * read back with {@link #scrape()} in the Prometheus text format 0.0.4. The catalog — every name,
 * type, label and unit — is docs/metrics.md, and a test holds this class to it.
 *
 * <p>Implementation notes. Every labelled metric is wrapped in a {@link Series}, which caches the
 * data point of each label set it has admitted and admits at most {@link #MAX_LABEL_SETS} distinct
 * label sets. The invariant: a metric's exposition never holds more than {@code MAX_LABEL_SETS} label
 * sets plus the one overflow set, in which every label value is {@link #OVERFLOW_LABEL_VALUE}.
 * Recordings that do not fit go to the overflow set and count once each in
 * {@code spillway_metrics_label_overflow_total{metric}}. A recording for a known label set is one
 * {@link ConcurrentHashMap} read and one lock-free update; only the first recording of a new label
 * set takes the series' lock. Durations arrive as nanoseconds and are exposed in seconds.
 */
public final class PrometheusGatewayMetrics implements GatewayMetrics {

  /** Most distinct label sets one metric records; further ones are recorded as {@code other}. */
  public static final int MAX_LABEL_SETS = 1_000;

  /** The label value that stands for every label set beyond {@link #MAX_LABEL_SETS}. Reserved. */
  public static final String OVERFLOW_LABEL_VALUE = "other";

  /** The {@code Content-Type} of {@link #scrape()}: text format 0.0.4, UTF-8. */
  public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

  // Bucket upper bounds, in seconds (sizes for the batch histogram).
  static final double[] REQUEST_DURATION_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600
  };
  static final double[] TIME_TO_FIRST_TOKEN_BUCKETS = {
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5, 7.5, 10, 20, 30, 60
  };
  static final double[] INTER_TOKEN_LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2,
    0.3, 0.5, 0.75, 1, 2
  };
  /** From 10 µs: a gateway's own time per request is tens of microseconds when nothing waits. */
  static final double[] GATEWAY_OVERHEAD_BUCKETS = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1, 0.25, 0.5, 1
  };
  static final double[] QUEUE_WAIT_BUCKETS = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };
  static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private static final String MODEL = "model";
  private static final String POOL = "pool";
  private static final String OUTCOME = "outcome";
  private static final String TIER = "tier";
  private static final String REPLICA = "replica";
  private static final String RESULT = "result";
  private static final String TENANT = "tenant";
  private static final String LIMIT = "limit";
  private static final String STORE = "store";
  private static final String MODE = "mode";
  private static final String STATE = "state";
  /** The breaker's states in the order of their gauge values. */
  private static final List<String> BREAKER_STATES = List.of("closed", "open", "half_open");

  private static final Unit TOKENS = new Unit("tokens");
  private static final Unit USD = new Unit("usd");
  private static final double NANOS_PER_SECOND = 1e9;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Counter labelOverflow;

  private final Series<CounterDataPoint> requests;
  private final Series<DistributionDataPoint> requestDuration;
  private final Series<DistributionDataPoint> timeToFirstToken;
  private final Series<DistributionDataPoint> interTokenLatency;
  private final Series<DistributionDataPoint> gatewayOverhead;
  private final Series<DistributionDataPoint> queueWait;
  private final Series<GaugeDataPoint> queueDepth;
  private final Series<CounterDataPoint> queueRejected;
  private final Series<CounterDataPoint> quotaRejected;
  private final Series<GaugeDataPoint> quotaStoreUp;
  private final Series<CounterDataPoint> quotaWithoutStore;
  private final Series<DistributionDataPoint> batchSize;
  private final Series<CounterDataPoint> promptTokens;
  private final Series<CounterDataPoint> completionTokens;
  private final Series<CounterDataPoint> cost;
  private final Series<CounterDataPoint> price;
  private final Series<GaugeDataPoint> replicaRunning;
  private final Series<GaugeDataPoint> replicaWaiting;
  private final Series<GaugeDataPoint> replicaKvUsage;
  private final Series<CounterDataPoint> cacheLookups;
  private final Series<GaugeDataPoint> breakerState;
  private final Series<CounterDataPoint> breakerTransitions;
  private final Series<CounterDataPoint> retries;
  private final Series<CounterDataPoint> retryBudgetExhausted;
  private final Series<CounterDataPoint> fallbacks;
  private final Series<CounterDataPoint> shed;
  private final Series<CounterDataPoint> attemptTimeouts;

  public PrometheusGatewayMetrics() {
    labelOverflow =
        Counter.builder()
            .name("spillway_metrics_label_overflow_total")
            .help("Recordings moved to the label value \"other\" because the metric held "
                + MAX_LABEL_SETS + " label sets; nonzero means a caller passes unconfigured names")
            .labelNames("metric")
            .withoutExemplars()
            .register(registry);

    requests = counter("spillway_requests_total", null, "Requests finished, by outcome", MODEL, POOL, OUTCOME);
    requestDuration =
        histogram(
            "spillway_request_duration_seconds",
            Unit.SECONDS,
            "End-to-end request duration, from receipt to the last byte or error sent",
            REQUEST_DURATION_BUCKETS,
            MODEL, POOL);
    timeToFirstToken =
        histogram(
            "spillway_time_to_first_token_seconds",
            Unit.SECONDS,
            "Time from receipt of a request to sending its first token",
            TIME_TO_FIRST_TOKEN_BUCKETS,
            MODEL, POOL);
    interTokenLatency =
        histogram(
            "spillway_inter_token_latency_seconds",
            Unit.SECONDS,
            "Time between consecutive tokens of a response",
            INTER_TOKEN_LATENCY_BUCKETS,
            MODEL, POOL);
    gatewayOverhead =
        histogram(
            "spillway_gateway_overhead_seconds",
            Unit.SECONDS,
            "Time a request spent in the gateway, excluding time waiting on a backend",
            GATEWAY_OVERHEAD_BUCKETS,
            MODEL);
    queueWait =
        histogram(
            "spillway_queue_wait_seconds",
            Unit.SECONDS,
            "Time a request waited in the admission queue",
            QUEUE_WAIT_BUCKETS,
            MODEL, TIER);
    queueDepth = gauge("spillway_queue_depth", null, "Requests waiting in the admission queue", MODEL, TIER);
    queueRejected =
        counter(
            "spillway_queue_rejected_total", null, "Requests refused because the admission queue was full",
            MODEL, TIER);
    batchSize =
        histogram(
            "spillway_batch_size", null, "Requests per batch dispatched to a pool", BATCH_SIZE_BUCKETS, POOL);
    promptTokens =
        counter("spillway_prompt_tokens_total", TOKENS, "Prompt tokens of finished requests", MODEL, POOL);
    completionTokens =
        counter("spillway_completion_tokens_total", TOKENS, "Completion tokens of finished requests", MODEL, POOL);
    cost =
        counter(
            "spillway_cost_usd_total", USD, "Accelerator cost of serving finished requests", MODEL, POOL, TIER);
    price =
        counter(
            "spillway_price_usd_total", USD, "List price of finished requests at their tier", MODEL, POOL, TIER);
    replicaRunning = gauge("spillway_replica_running", null, "Sequences running on a replica", POOL, REPLICA);
    replicaWaiting = gauge("spillway_replica_waiting", null, "Sequences waiting on a replica", POOL, REPLICA);
    replicaKvUsage =
        gauge(
            "spillway_replica_kv_usage_ratio", Unit.RATIO, "Fraction of a replica's KV cache in use",
            POOL, REPLICA);
    cacheLookups =
        counter(
            "spillway_cache_lookups_total", null,
            "Deterministic requests looked up in their model's response cache, by result", MODEL, RESULT);
    breakerState =
        gauge(
            "spillway_circuit_breaker_state", null,
            "A replica's circuit breaker: 0 closed, 1 open, 2 half-open", POOL, REPLICA);
    breakerTransitions =
        counter(
            "spillway_circuit_breaker_transitions_total", null,
            "Changes of a replica's circuit breaker, by the state entered", POOL, REPLICA, STATE);
    retries =
        counter(
            "spillway_retries_total", null,
            "Requests tried again after failing on a pool before their first token", POOL);
    retryBudgetExhausted =
        counter(
            "spillway_retry_budget_exhausted_total", null,
            "Failures before a first token not retried because the pool's retry budget was spent", POOL);
    attemptTimeouts =
        counter(
            "spillway_attempt_timeouts_total", null,
            "Attempts cancelled by their pool's time limiter, by the deadline passed: first_token or total",
            POOL, "deadline");
    shed =
        counter(
            "spillway_shed_total", null,
            "Requests refused or dropped from the queue because, at the model's pace, they would miss their deadline",
            MODEL, TIER);
    fallbacks =
        counter(
            "spillway_fallbacks_total", null,
            "Requests handed to a fallback model after every attempt on their model failed unseen",
            MODEL, "fallback");
    quotaRejected =
        counter(
            "spillway_quota_rejected_total", null,
            "Requests refused by a tenant's limit: requests, tokens, budget, or store (failing closed)",
            TENANT, LIMIT);
    quotaStoreUp =
        gauge("spillway_quota_store_up", null, "1 while the quota store answers, 0 while it is out of reach", STORE);
    quotaWithoutStore =
        counter(
            "spillway_quota_without_store_total", null,
            "Admissions decided while the shared quota store was out of reach, by mode: local or closed",
            MODE);
  }

  /** The current values of every metric, in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void requestFinished(String model, String pool, Outcome outcome, long endToEndNanos) {
    requireNonNull(outcome, OUTCOME);
    double seconds = seconds("endToEndNanos", endToEndNanos);
    requests.labels(model, pool, outcome.wireName()).inc();
    requestDuration.labels(model, pool).observe(seconds);
  }

  @Override
  public void timeToFirstToken(String model, String pool, long nanos) {
    timeToFirstToken.labels(model, pool).observe(seconds("nanos", nanos));
  }

  @Override
  public void interTokenLatency(String model, String pool, long nanos) {
    interTokenLatency.labels(model, pool).observe(seconds("nanos", nanos));
  }

  @Override
  public LongConsumer interTokenLatencies(String model, String pool) {
    DistributionDataPoint point = interTokenLatency.labels(model, pool);
    return nanos -> point.observe(seconds("nanos", nanos));
  }

  @Override
  public void gatewayOverhead(String model, long nanos) {
    gatewayOverhead.labels(model).observe(seconds("nanos", nanos));
  }

  @Override
  public void queueWait(String model, String tier, long nanos) {
    queueWait.labels(model, tier).observe(seconds("nanos", nanos));
  }

  @Override
  public void queueDepth(String model, String tier, int depth) {
    queueDepth.labels(model, tier).set(nonNegative("depth", depth));
  }

  @Override
  public void queueRejected(String model, String tier) {
    queueRejected.labels(model, tier).inc();
  }

  @Override
  public void quotaRejected(String tenant, String limit) {
    quotaRejected.labels(tenant, limit).inc();
  }

  @Override
  public void quotaStoreUp(String store, boolean up) {
    quotaStoreUp.labels(store).set(up ? 1 : 0);
  }

  @Override
  public void quotaWithoutStore(String mode) {
    quotaWithoutStore.labels(mode).inc();
  }

  @Override
  public void batchFormed(String pool, int size) {
    if (size <= 0) {
      throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
    }
    batchSize.labels(pool).observe(size);
  }

  @Override
  public void tokens(String model, String pool, int prompt, int completion) {
    nonNegative("prompt", prompt);
    nonNegative("completion", completion);
    promptTokens.labels(model, pool).inc(prompt);
    completionTokens.labels(model, pool).inc(completion);
  }

  @Override
  public void costAndPrice(String model, String pool, String tier, double costUsd, double priceUsd) {
    nonNegative("costUsd", costUsd);
    nonNegative("priceUsd", priceUsd);
    cost.labels(model, pool, tier).inc(costUsd);
    price.labels(model, pool, tier).inc(priceUsd);
  }

  @Override
  public void replicaLoad(String pool, String replica, int running, int waiting, double kvUsage) {
    nonNegative("running", running);
    nonNegative("waiting", waiting);
    if (!(kvUsage >= 0 && kvUsage <= 1)) {
      throw new IllegalArgumentException("kvUsage: " + kvUsage + " (expected: >= 0 and <= 1)");
    }
    replicaRunning.labels(pool, replica).set(running);
    replicaWaiting.labels(pool, replica).set(waiting);
    replicaKvUsage.labels(pool, replica).set(kvUsage);
  }

  @Override
  public void cacheLookup(String model, boolean hit) {
    cacheLookups.labels(model, hit ? "hit" : "miss").inc();
  }

  @Override
  public void circuitBreakerState(String pool, String replica, String state) {
    breakerState.labels(pool, replica).set(breakerStateValue(state));
  }

  @Override
  public void circuitBreakerTransition(String pool, String replica, String state) {
    breakerStateValue(state);
    breakerTransitions.labels(pool, replica, state).inc();
  }

  @Override
  public void retried(String pool) {
    retries.labels(pool).inc();
  }

  @Override
  public void retryBudgetExhausted(String pool) {
    retryBudgetExhausted.labels(pool).inc();
  }

  @Override
  public void attemptTimedOut(String pool, String deadline) {
    attemptTimeouts.labels(pool, deadline).inc();
  }

  @Override
  public void shed(String model, String tier) {
    shed.labels(model, tier).inc();
  }

  @Override
  public void fellBack(String model, String fallback) {
    fallbacks.labels(model, fallback).inc();
  }

  private static int breakerStateValue(String state) {
    int value = BREAKER_STATES.indexOf(state);
    if (value < 0) {
      throw new IllegalArgumentException("state: " + state + " (expected one of: " + BREAKER_STATES + ")");
    }
    return value;
  }

  @Override
  public String toString() {
    return "PrometheusGatewayMetrics";
  }

  private Series<DistributionDataPoint> histogram(
      String name, Unit unit, String help, double[] buckets, String... labelNames) {
    Histogram.Builder builder =
        Histogram.builder()
            .name(name)
            .help(help)
            .labelNames(labelNames)
            .classicOnly()
            .classicUpperBounds(buckets)
            .withoutExemplars();
    return series(name, (unit == null ? builder : builder.unit(unit)).register(registry), labelNames);
  }

  private Series<CounterDataPoint> counter(String name, Unit unit, String help, String... labelNames) {
    Counter.Builder builder = Counter.builder().name(name).help(help).labelNames(labelNames).withoutExemplars();
    return series(name, (unit == null ? builder : builder.unit(unit)).register(registry), labelNames);
  }

  private Series<GaugeDataPoint> gauge(String name, Unit unit, String help, String... labelNames) {
    Gauge.Builder builder = Gauge.builder().name(name).help(help).labelNames(labelNames).withoutExemplars();
    return series(name, (unit == null ? builder : builder.unit(unit)).register(registry), labelNames);
  }

  /** Wraps a metric in the label-set cap; its overflow count is exposed from zero. */
  private <D extends DataPoint> Series<D> series(
      String name, StatefulMetric<D, ?> metric, String... labelNames) {
    labelOverflow.initLabelValues(name);
    return new Series<>(metric, labelNames, labelOverflow.labelValues(name));
  }

  private static double seconds(String what, long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException(what + ": " + nanos + " (expected: >= 0)");
    }
    return nanos / NANOS_PER_SECOND;
  }

  private static int nonNegative(String what, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0)");
    }
    return value;
  }

  private static void nonNegative(String what, double value) {
    if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0 and finite)");
    }
  }

  /**
   * One metric's admitted label sets and their data points, capped at {@link #MAX_LABEL_SETS}.
   *
   * <p>Implementation notes. The admitted sets are a tree of {@link ConcurrentHashMap}s, one level per
   * label: the first label's value leads to a map of the second's, and so on, and the last level
   * holds the data points. A lookup is one map read per label and allocates nothing (a key object per
   * call, such as a list of the values, would be garbage on every token). Only admission takes the
   * lock; it creates the inner maps, then publishes the data point, so a reader sees either the
   * point or nothing (and then takes the lock and looks again). The tree only grows; once
   * {@link #admittedCount} reaches the cap, every unknown label set goes straight to the overflow
   * set without taking the lock.
   */
  private static final class Series<D extends DataPoint> {

    private final StatefulMetric<D, ?> metric;
    private final String[] labelNames;
    private final CounterDataPoint overflowCount;
    private final String[] overflowValues;
    /** Made at the first overflow, so that the {@code other} set is exposed only once it is used. */
    private volatile D overflowPoint;
    private final ConcurrentHashMap<String, Object> admitted = new ConcurrentHashMap<>();
    /** Label sets admitted; written under the lock. */
    private volatile int admittedCount;

    Series(StatefulMetric<D, ?> metric, String[] labelNames, CounterDataPoint overflowCount) {
      if (labelNames.length < 1 || labelNames.length > 3) {
        throw new IllegalArgumentException(
            "labelNames: " + Arrays.toString(labelNames) + " (expected: 1 to 3 labels)");
      }
      this.metric = metric;
      this.labelNames = labelNames.clone();
      this.overflowCount = overflowCount;
      this.overflowValues = new String[labelNames.length];
      Arrays.fill(overflowValues, OVERFLOW_LABEL_VALUE);
    }

    /** The data point for this label value, or the overflow one. */
    D labels(String a) {
      arity(1);
      check(0, a);
      D point = lookup(a, null, null);
      return point != null ? point : admit(a);
    }

    /** The data point for these label values (in label-name order), or the overflow one. */
    D labels(String a, String b) {
      arity(2);
      check(0, a);
      check(1, b);
      D point = lookup(a, b, null);
      return point != null ? point : admit(a, b);
    }

    /** The data point for these label values (in label-name order), or the overflow one. */
    D labels(String a, String b, String c) {
      arity(3);
      check(0, a);
      check(1, b);
      check(2, c);
      D point = lookup(a, b, c);
      return point != null ? point : admit(a, b, c);
    }

    private void arity(int values) {
      if (values != labelNames.length) {
        throw new IllegalStateException(
            values + " label values for " + Arrays.toString(labelNames) + " (expected: one per label)");
      }
    }

    private void check(int i, String value) {
      if (value == null || value.isEmpty()) {
        requireNonNull(value, labelNames[i]);
        throw new IllegalArgumentException(labelNames[i] + ": \"\" (expected: a configured name)");
      }
    }

    /** The admitted point of the label set, or null. Unused trailing values are null. */
    @SuppressWarnings("unchecked")
    private D lookup(String a, String b, String c) {
      Object node = admitted.get(a);
      if (node == null || labelNames.length == 1) {
        return (D) node;
      }
      node = ((ConcurrentHashMap<String, Object>) node).get(b);
      if (node == null || labelNames.length == 2) {
        return (D) node;
      }
      return (D) ((ConcurrentHashMap<String, Object>) node).get(c);
    }

    @SuppressWarnings("unchecked")
    private D admit(String... values) {
      if (admittedCount < MAX_LABEL_SETS) {
        synchronized (this) {
          int n = values.length;
          D point = lookup(values[0], n > 1 ? values[1] : null, n > 2 ? values[2] : null);
          if (point != null) {
            return point;
          }
          if (admittedCount < MAX_LABEL_SETS) {
            point = metric.labelValues(values);
            ConcurrentHashMap<String, Object> level = admitted;
            for (int i = 0; i < n - 1; i++) {
              level =
                  (ConcurrentHashMap<String, Object>)
                      level.computeIfAbsent(values[i], v -> new ConcurrentHashMap<String, Object>());
            }
            level.put(values[n - 1], point);
            admittedCount++;
            return point;
          }
        }
      }
      overflowCount.inc();
      D point = overflowPoint;
      if (point == null) {
        // A race makes the point twice; labelValues returns the same one both times.
        point = metric.labelValues(overflowValues);
        overflowPoint = point;
      }
      return point;
    }
  }
}
