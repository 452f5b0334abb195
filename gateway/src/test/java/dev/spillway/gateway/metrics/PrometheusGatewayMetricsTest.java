package dev.spillway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.gateway.metrics.GatewayMetrics.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Prometheus implementation: every metric's exposition, the pinned catalog, the label cap. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PrometheusGatewayMetricsTest {

  static final Path CATALOG = Path.of("..", "docs", "metrics.md");

  static final String MODEL = "llama-3.3-70b";
  static final String POOL = "trn2-a";
  static final String TIER = "standard";
  static final long MS = 1_000_000L;

  private final PrometheusGatewayMetrics metrics = new PrometheusGatewayMetrics();

  /** Records each method once (requestFinished twice), with values chosen to read back exactly. */
  static void recordOneOfEverything(GatewayMetrics m) {
    m.requestFinished(MODEL, POOL, Outcome.SUCCESS, 1_500 * MS);
    m.requestFinished(MODEL, POOL, Outcome.SUCCESS, 3_000 * MS);
    m.timeToFirstToken(MODEL, POOL, 30 * MS);
    m.interTokenLatency(MODEL, POOL, 20 * MS);
    m.gatewayOverhead(MODEL, 200_000L);
    m.queueWait(MODEL, TIER, 5 * MS);
    m.queueDepth(MODEL, TIER, 3);
    m.queueRejected(MODEL, TIER);
    m.batchFormed(POOL, 5);
    m.tokens(MODEL, POOL, 100, 20);
    m.costAndPrice(MODEL, POOL, TIER, 0.25, 1.5);
    m.replicaLoad(POOL, "r0", 4, 2, 0.5);
    m.cacheLookup(MODEL, true);
    m.quotaRejected("acme", "requests");
    m.quotaStoreUp("redis", true);
    m.quotaWithoutStore("local");
    m.circuitBreakerState(POOL, "r0", "open");
    m.circuitBreakerTransition(POOL, "r0", "open");
    m.retried(POOL);
    m.retryBudgetExhausted(POOL);
    m.fellBack(MODEL, "llama-3.1-8b");
    m.shed(MODEL, TIER);
    m.attemptTimedOut(POOL, "first_token");
  }

  @Test
  void exposesEveryMetricWithItsTypeLabelsAndValues() {
    recordOneOfEverything(metrics);
    metrics.requestFinished(MODEL, POOL, Outcome.BACKEND_ERROR, 10 * MS);

    String text = metrics.scrape();

    assertThat(text)
        .contains("# TYPE spillway_requests_total counter\n")
        .contains("spillway_requests_total{model=\"llama-3.3-70b\",outcome=\"success\",pool=\"trn2-a\"} 2.0\n")
        .contains("spillway_requests_total{model=\"llama-3.3-70b\",outcome=\"backend_error\",pool=\"trn2-a\"} 1.0\n")
        .contains("# TYPE spillway_request_duration_seconds histogram\n")
        .contains("spillway_request_duration_seconds_bucket{model=\"llama-3.3-70b\",pool=\"trn2-a\",le=\"1.0\"} 1\n")
        .contains("spillway_request_duration_seconds_bucket{model=\"llama-3.3-70b\",pool=\"trn2-a\",le=\"2.5\"} 2\n")
        .contains("spillway_request_duration_seconds_bucket{model=\"llama-3.3-70b\",pool=\"trn2-a\",le=\"+Inf\"} 3\n")
        .contains("spillway_request_duration_seconds_count{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 3\n")
        .contains("spillway_request_duration_seconds_sum{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 4.51\n")
        .contains("# TYPE spillway_time_to_first_token_seconds histogram\n")
        .contains("spillway_time_to_first_token_seconds_bucket{model=\"llama-3.3-70b\",pool=\"trn2-a\",le=\"0.025\"} 0\n")
        .contains("spillway_time_to_first_token_seconds_bucket{model=\"llama-3.3-70b\",pool=\"trn2-a\",le=\"0.05\"} 1\n")
        .contains("spillway_time_to_first_token_seconds_count{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 1\n")
        .contains("spillway_time_to_first_token_seconds_sum{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 0.03\n")
        .contains("# TYPE spillway_inter_token_latency_seconds histogram\n")
        .contains("spillway_inter_token_latency_seconds_bucket{model=\"llama-3.3-70b\",pool=\"trn2-a\",le=\"0.02\"} 1\n")
        .contains("spillway_inter_token_latency_seconds_count{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 1\n")
        .contains("# TYPE spillway_gateway_overhead_seconds histogram\n")
        .contains("spillway_gateway_overhead_seconds_bucket{model=\"llama-3.3-70b\",le=\"1.0E-4\"} 0\n")
        .contains("spillway_gateway_overhead_seconds_bucket{model=\"llama-3.3-70b\",le=\"2.5E-4\"} 1\n")
        .contains("spillway_gateway_overhead_seconds_sum{model=\"llama-3.3-70b\"} 2.0E-4\n")
        .contains("# TYPE spillway_queue_wait_seconds histogram\n")
        .contains("spillway_queue_wait_seconds_count{model=\"llama-3.3-70b\",tier=\"standard\"} 1\n")
        .contains("spillway_queue_wait_seconds_sum{model=\"llama-3.3-70b\",tier=\"standard\"} 0.005\n")
        .contains("# TYPE spillway_queue_depth gauge\n")
        .contains("spillway_queue_depth{model=\"llama-3.3-70b\",tier=\"standard\"} 3.0\n")
        .contains("# TYPE spillway_queue_rejected_total counter\n")
        .contains("spillway_queue_rejected_total{model=\"llama-3.3-70b\",tier=\"standard\"} 1.0\n")
        .contains("# TYPE spillway_batch_size histogram\n")
        .contains("spillway_batch_size_bucket{pool=\"trn2-a\",le=\"4.0\"} 0\n")
        .contains("spillway_batch_size_bucket{pool=\"trn2-a\",le=\"8.0\"} 1\n")
        .contains("spillway_batch_size_count{pool=\"trn2-a\"} 1\n")
        .contains("spillway_batch_size_sum{pool=\"trn2-a\"} 5.0\n")
        .contains("# TYPE spillway_prompt_tokens_total counter\n")
        .contains("spillway_prompt_tokens_total{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 100.0\n")
        .contains("# TYPE spillway_completion_tokens_total counter\n")
        .contains("spillway_completion_tokens_total{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 20.0\n")
        .contains("# TYPE spillway_cost_usd_total counter\n")
        .contains("spillway_cost_usd_total{model=\"llama-3.3-70b\",pool=\"trn2-a\",tier=\"standard\"} 0.25\n")
        .contains("# TYPE spillway_price_usd_total counter\n")
        .contains("spillway_price_usd_total{model=\"llama-3.3-70b\",pool=\"trn2-a\",tier=\"standard\"} 1.5\n")
        .contains("# TYPE spillway_replica_running gauge\n")
        .contains("spillway_replica_running{pool=\"trn2-a\",replica=\"r0\"} 4.0\n")
        .contains("# TYPE spillway_replica_waiting gauge\n")
        .contains("spillway_replica_waiting{pool=\"trn2-a\",replica=\"r0\"} 2.0\n")
        .contains("# TYPE spillway_replica_kv_usage_ratio gauge\n")
        .contains("spillway_replica_kv_usage_ratio{pool=\"trn2-a\",replica=\"r0\"} 0.5\n")
        .contains("# TYPE spillway_cache_lookups_total counter\n")
        .contains("spillway_cache_lookups_total{model=\"llama-3.3-70b\",result=\"hit\"} 1.0\n")
        .contains("# TYPE spillway_circuit_breaker_state gauge\n")
        .contains("spillway_circuit_breaker_state{pool=\"trn2-a\",replica=\"r0\"} 1.0\n")
        .contains("# TYPE spillway_circuit_breaker_transitions_total counter\n")
        .contains(
            "spillway_circuit_breaker_transitions_total{pool=\"trn2-a\",replica=\"r0\",state=\"open\"} 1.0\n")
        .contains("spillway_retries_total{pool=\"trn2-a\"} 1.0\n")
        .contains("spillway_retry_budget_exhausted_total{pool=\"trn2-a\"} 1.0\n")
        .contains("spillway_fallbacks_total{fallback=\"llama-3.1-8b\",model=\"llama-3.3-70b\"} 1.0\n")
        .contains("spillway_attempt_timeouts_total{deadline=\"first_token\",pool=\"trn2-a\"} 1.0\n")
        .contains("# TYPE spillway_metrics_label_overflow_total counter\n")
        .contains("spillway_metrics_label_overflow_total{metric=\"spillway_requests_total\"} 0.0\n")
        .doesNotContain("_created")
        .doesNotContain("=\"other\"");
  }

  @Test
  void gaugesHoldTheLastValueSet() {
    metrics.queueDepth(MODEL, TIER, 7);
    metrics.queueDepth(MODEL, TIER, 2);
    metrics.replicaLoad(POOL, "r0", 9, 9, 0.9);
    metrics.replicaLoad(POOL, "r0", 1, 0, 0.125);

    assertThat(metrics.scrape())
        .contains("spillway_queue_depth{model=\"llama-3.3-70b\",tier=\"standard\"} 2.0\n")
        .contains("spillway_replica_running{pool=\"trn2-a\",replica=\"r0\"} 1.0\n")
        .contains("spillway_replica_waiting{pool=\"trn2-a\",replica=\"r0\"} 0.0\n")
        .contains("spillway_replica_kv_usage_ratio{pool=\"trn2-a\",replica=\"r0\"} 0.125\n");
  }

  @Test
  void everyOutcomeHasItsLowerCaseWireName() {
    for (Outcome outcome : Outcome.values()) {
      metrics.requestFinished(MODEL, POOL, outcome, MS);
    }

    assertThat(Outcome.REJECTED.wireName()).isEqualTo("rejected");
    String text = metrics.scrape();
    for (String wireName : List.of("success", "client_error", "rejected", "backend_error", "timeout", "cancelled")) {
      assertThat(text)
          .contains("spillway_requests_total{model=\"llama-3.3-70b\",outcome=\"" + wireName + "\",pool=\"trn2-a\"} 1.0\n");
    }
  }

  @Test
  void catalogInDocsListsExactlyTheExposedMetricsWithTheirTypesAndLabels() throws IOException {
    recordOneOfEverything(metrics);

    Map<String, Family> documented = parseCatalog(Files.readString(CATALOG, StandardCharsets.UTF_8));
    Map<String, Family> exposed = parseExposition(metrics.scrape());

    assertThat(documented).isNotEmpty();
    assertThat(documented.keySet()).containsExactlyInAnyOrderElementsOf(exposed.keySet());
    assertThat(documented).isEqualTo(exposed);
  }

  @Test
  void everyExposedNameFollowsTheGrammar() {
    recordOneOfEverything(metrics);

    for (Map.Entry<String, Family> e : parseExposition(metrics.scrape()).entrySet()) {
      assertThat(e.getKey()).matches("spillway_[a-z][a-z0-9]*(_[a-z0-9]+)*");
      assertThat(e.getKey().endsWith("_total")).as(e.getKey()).isEqualTo(e.getValue().type().equals("counter"));
    }
  }

  @Test
  void labelSetsBeyondTheCapAreRecordedAsOtherAndCounted() {
    for (int i = 0; i < PrometheusGatewayMetrics.MAX_LABEL_SETS + 1; i++) {
      metrics.batchFormed("pool-" + i, 1);
    }
    metrics.batchFormed("pool-0", 1); // admitted before the cap: still its own series
    metrics.batchFormed("pool-1000", 1); // the 1,001st set again: overflows again

    String text = metrics.scrape();

    assertThat(text)
        .contains("spillway_batch_size_count{pool=\"pool-0\"} 2\n")
        .contains("spillway_batch_size_count{pool=\"pool-999\"} 1\n")
        .doesNotContain("pool=\"pool-1000\"")
        .contains("spillway_batch_size_count{pool=\"other\"} 2\n")
        .contains("spillway_metrics_label_overflow_total{metric=\"spillway_batch_size\"} 2.0\n")
        .contains("spillway_metrics_label_overflow_total{metric=\"spillway_requests_total\"} 0.0\n");
    assertThat(countSeries(text, "spillway_batch_size_count{")).isEqualTo(PrometheusGatewayMetrics.MAX_LABEL_SETS + 1);
  }

  @Test
  void overflowReplacesEveryLabelOfTheSetWithOther() {
    for (int i = 0; i < PrometheusGatewayMetrics.MAX_LABEL_SETS; i++) {
      metrics.requestFinished(MODEL, "pool-" + i, Outcome.SUCCESS, MS);
    }
    metrics.requestFinished(MODEL, "pool-x", Outcome.TIMEOUT, MS);
    metrics.requestFinished(MODEL, POOL, Outcome.SUCCESS, MS);

    assertThat(metrics.scrape())
        .contains("spillway_requests_total{model=\"other\",outcome=\"other\",pool=\"other\"} 2.0\n")
        .contains("spillway_request_duration_seconds_count{model=\"other\",pool=\"other\"} 2\n")
        .contains("spillway_metrics_label_overflow_total{metric=\"spillway_requests_total\"} 2.0\n")
        .contains("spillway_metrics_label_overflow_total{metric=\"spillway_request_duration_seconds\"} 2.0\n");
  }

  @Test
  void capHoldsWhenManyThreadsRecordNewLabelSetsAtOnce() throws Exception {
    int threads = 8;
    int perThread = 500;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * perThread;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  metrics.queueRejected(MODEL, "tier-" + (base + i));
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    String text = metrics.scrape();
    int overflowed = threads * perThread - PrometheusGatewayMetrics.MAX_LABEL_SETS;
    assertThat(countSeries(text, "spillway_queue_rejected_total{")).isEqualTo(PrometheusGatewayMetrics.MAX_LABEL_SETS + 1);
    assertThat(text)
        .contains("spillway_queue_rejected_total{model=\"other\",tier=\"other\"} " + overflowed + ".0\n")
        .contains("spillway_metrics_label_overflow_total{metric=\"spillway_queue_rejected_total\"} " + overflowed + ".0\n");
  }

  @Test
  void recordingsFromManyThreadsAtOnceAreAllCounted() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      // Two pools, first seen by several threads at once: admission and recording race.
      String pool = "pool-" + (t % 2);
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  metrics.interTokenLatency(MODEL, new String(pool), 20 * MS);
                  metrics.tokens(MODEL, pool, 1, 2);
                  metrics.requestFinished(MODEL, pool, Outcome.SUCCESS, MS);
                }
              });
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }

    String text = metrics.scrape();
    int perPool = threads / 2 * perThread;
    for (String pool : List.of("pool-0", "pool-1")) {
      String labels = "{model=\"" + MODEL + "\",pool=\"" + pool + "\"}";
      assertThat(text)
          .contains("spillway_inter_token_latency_seconds_count" + labels + " " + perPool + "\n")
          .contains("spillway_prompt_tokens_total" + labels + " " + perPool + ".0\n")
          .contains("spillway_completion_tokens_total" + labels + " " + 2 * perPool + ".0\n")
          .contains("spillway_request_duration_seconds_count" + labels + " " + perPool + "\n")
          .contains(
              "spillway_requests_total{model=\"" + MODEL + "\",outcome=\"success\",pool=\"" + pool + "\"} "
                  + perPool + ".0\n");
    }
    assertThat(text).doesNotContain("=\"other\"");
  }

  @Test
  void rejectsMissingLabelsAndOutOfRangeValuesNamingTheArgument() {
    assertThatThrownBy(() -> metrics.requestFinished(null, POOL, Outcome.SUCCESS, MS))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("model");
    assertThatThrownBy(() -> metrics.requestFinished(MODEL, POOL, null, MS))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("outcome");
    assertThatThrownBy(() -> metrics.queueRejected(MODEL, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tier: \"\" (expected: a configured name)");
    assertThatThrownBy(() -> metrics.timeToFirstToken(MODEL, POOL, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanos: -1 (expected: >= 0)");
    assertThatThrownBy(() -> metrics.batchFormed(POOL, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size: 0 (expected: > 0)");
    assertThatThrownBy(() -> metrics.tokens(MODEL, POOL, 1, -2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("completion: -2 (expected: >= 0)");
    assertThatThrownBy(() -> metrics.costAndPrice(MODEL, POOL, TIER, Double.NaN, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("costUsd: NaN (expected: >= 0 and finite)");
    assertThatThrownBy(() -> metrics.replicaLoad(POOL, "r0", 0, 0, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("kvUsage: 1.5 (expected: >= 0 and <= 1)");
    assertThatThrownBy(() -> metrics.circuitBreakerState(POOL, "r0", "ajar"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("state: ajar (expected one of: [closed, open, half_open])");
    // A rejected recording leaves nothing behind.
    assertThat(metrics.scrape()).doesNotContain("spillway_requests_total{").doesNotContain("spillway_prompt_tokens_total{");
  }

  @Test
  void registriesAreIsolatedPerInstance() {
    metrics.queueRejected(MODEL, TIER);

    assertThat(new PrometheusGatewayMetrics().scrape()).doesNotContain("spillway_queue_rejected_total{model=");
    assertThat(PrometheusGatewayMetrics.CONTENT_TYPE).startsWith("text/plain; version=0.0.4");
  }

  @Test
  void noopRecordsNothingAndAcceptsAnything() {
    GatewayMetrics noop = GatewayMetrics.NOOP;

    assertThatCode(
            () -> {
              recordOneOfEverything(noop);
              noop.requestFinished(null, null, null, -1);
              noop.timeToFirstToken(null, "", Long.MIN_VALUE);
              noop.interTokenLatency(null, null, -1);
              noop.gatewayOverhead(null, -1);
              noop.queueWait(null, null, -1);
              noop.queueDepth(null, null, -1);
              noop.queueRejected(null, null);
              noop.batchFormed(null, -1);
              noop.tokens(null, null, -1, -1);
              noop.costAndPrice(null, null, null, Double.NaN, -1);
              noop.replicaLoad(null, null, -1, -1, Double.POSITIVE_INFINITY);
              noop.cacheLookup(null, false);
            })
        .doesNotThrowAnyException();
    assertThat(noop).hasToString("GatewayMetrics.NOOP");
  }

  // --- parsing the catalog and the exposition into the same shape ---

  /** A metric family: its type, and the label names its series carry (without histograms' {@code le}). */
  record Family(String type, Set<String> labels) {}

  private static final Pattern CATALOG_ROW =
      Pattern.compile("^\\|\\s*`(spillway_[a-z0-9_]+)`\\s*\\|\\s*(\\w+)\\s*\\|([^|]*)\\|");
  private static final Pattern BACKTICKED = Pattern.compile("`([a-z_]+)`");
  private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
  private static final Pattern SAMPLE_LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? \\S+$");
  private static final Pattern LABEL_NAME = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  /** The catalog table's rows: {@code | `name` | type | `label`, `label` | unit | meaning |}. */
  static Map<String, Family> parseCatalog(String markdown) {
    Map<String, Family> families = new TreeMap<>();
    for (String line : markdown.split("\n")) {
      Matcher row = CATALOG_ROW.matcher(line);
      if (row.find()) {
        Set<String> labels = new TreeSet<>();
        Matcher label = BACKTICKED.matcher(row.group(3));
        while (label.find()) {
          labels.add(label.group(1));
        }
        Family previous = families.put(row.group(1), new Family(row.group(2), labels));
        assertThat(previous).as("listed twice: %s", row.group(1)).isNull();
      }
    }
    return families;
  }

  /** Families by their {@code # TYPE} lines, with the label names found on their samples. */
  static Map<String, Family> parseExposition(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, Set<String>> labels = new TreeMap<>();
    for (String line : text.split("\n")) {
      Matcher type = TYPE_LINE.matcher(line);
      if (type.matches()) {
        types.put(type.group(1), type.group(2));
        labels.put(type.group(1), new TreeSet<>());
        continue;
      }
      if (line.startsWith("#") || line.isEmpty()) {
        continue;
      }
      Matcher sample = SAMPLE_LINE.matcher(line);
      assertThat(sample.matches()).as("sample line: %s", line).isTrue();
      String family = familyOf(sample.group(1), types);
      if (sample.group(2) != null) {
        Matcher label = LABEL_NAME.matcher(sample.group(2));
        while (label.find()) {
          if (!label.group(1).equals("le")) {
            labels.get(family).add(label.group(1));
          }
        }
      }
    }
    Map<String, Family> families = new TreeMap<>();
    types.forEach((name, type) -> families.put(name, new Family(type, labels.get(name))));
    return families;
  }

  private static String familyOf(String sampleName, Map<String, String> types) {
    if (types.containsKey(sampleName)) {
      return sampleName;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (sampleName.endsWith(suffix)) {
        String base = sampleName.substring(0, sampleName.length() - suffix.length());
        if ("histogram".equals(types.get(base))) {
          return base;
        }
      }
    }
    throw new AssertionError("sample of no declared family: " + sampleName);
  }

  private static long countSeries(String text, String prefix) {
    return text.lines().filter(line -> line.startsWith(prefix)).count();
  }

  @Test
  void aPoolsInterTokenLatenciesRecordAsEachCallWould() {
    PrometheusGatewayMetrics byCall = new PrometheusGatewayMetrics();
    LongConsumer handle = metrics.interTokenLatencies(MODEL, POOL);
    for (long gap : new long[] {MS / 2, 20 * MS, 20 * MS, 400 * MS, 3_000 * MS}) {
      byCall.interTokenLatency(MODEL, POOL, gap);
      handle.accept(gap);
    }
    assertThat(metrics.scrape())
        .contains("spillway_inter_token_latency_seconds_count{model=\"llama-3.3-70b\",pool=\"trn2-a\"} 5\n")
        .isEqualTo(byCall.scrape());
    assertThatThrownBy(() -> handle.accept(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
