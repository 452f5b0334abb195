package dev.spillway.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.loadtest.metrics.LatencyStats;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import java.time.Duration;
import java.util.Map;

/**
 * {@code summary.json}: the run's metadata, then the summary under vLLM {@code bench serve}'s field
 * names where they overlap ({@code completed}, {@code request_throughput}, {@code mean_ttft_ms},
 * {@code p99_itl_ms}, {@code p99.9_e2el_ms}, ...), then Spillway's extras as objects ({@code errors},
 * {@code goodput}, {@code cost}, {@code pools}, {@code schedule_lag}). Undefined values are
 * {@code null}, never NaN.
 */
public final class SummaryJson {

  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The metrics with percentiles, by their vLLM names. */
  static final String[] METRICS = {"ttft", "tpot", "itl", "e2el"};

  private SummaryJson() {}

  /**
   * The summary as JSON; {@code metadata} (JSON-friendly values: strings, numbers, booleans, lists,
   * maps) goes first, in its iteration order.
   */
  public static ObjectNode of(Summary summary, Map<String, ?> metadata) {
    ObjectNode json = MAPPER.createObjectNode();
    metadata.forEach((key, value) -> json.set(key, MAPPER.valueToTree(value)));
    json.put("duration", summary.durationSeconds());
    json.put("completed", summary.completed());
    json.put("failed", summary.failed());
    json.put("warmup_excluded", summary.warmupExcluded());
    json.put("total_input_tokens", summary.totalInputTokens());
    json.put("total_output_tokens", summary.totalOutputTokens());
    json.put("request_throughput", summary.requestThroughput());
    if (summary.goals().any()) {
      json.put("request_goodput", summary.requestGoodput());
    } else {
      json.putNull("request_goodput");
    }
    json.put("output_throughput", summary.outputThroughput());
    json.put("total_token_throughput", summary.totalTokenThroughput());
    json.put("max_output_tokens_per_s", summary.maxOutputTokensPerSecond());
    json.put("max_concurrent_requests", summary.maxConcurrentRequests());
    latency(json, "ttft", summary.ttft());
    latency(json, "tpot", summary.tpot());
    latency(json, "itl", summary.itl());
    latency(json, "e2el", summary.e2el());

    ObjectNode errors = json.putObject("errors");
    summary.errors().forEach(errors::put);

    ObjectNode goodput = json.putObject("goodput");
    SloGoals goals = summary.goals();
    millis(goodput, "slo_ttft_ms", goals.ttft());
    millis(goodput, "slo_tpot_ms", goals.tpot());
    millis(goodput, "slo_e2el_ms", goals.e2e());
    if (goals.any()) {
      goodput.put("good_requests", summary.goodRequests());
      goodput.put("request_goodput", summary.requestGoodput());
      goodput.put("attainment", summary.completed() + summary.failed() == 0
          ? 0.0
          : (double) summary.goodRequests() / (summary.completed() + summary.failed()));
    } else {
      goodput.putNull("good_requests");
      goodput.putNull("request_goodput");
      goodput.putNull("attainment");
    }

    ObjectNode cost = json.putObject("cost");
    cost.put("total_cost_usd", summary.costs().totalCostUsd());
    cost.put("total_price_usd", summary.costs().totalPriceUsd());
    cost.put("cost_per_1m_output_tokens_usd", summary.costs().costPerMillionOutputTokensUsd());
    cost.put("price_per_1m_output_tokens_usd", summary.costs().pricePerMillionOutputTokensUsd());

    ObjectNode pools = json.putObject("pools");
    summary.pools().forEach(
        (name, share) -> {
          ObjectNode pool = pools.putObject(name);
          pool.put("requests", share.requests());
          pool.put("share", share.share());
          pool.put("output_tokens", share.outputTokens());
          pool.put("cost_usd", share.costUsd());
          pool.put("price_usd", share.priceUsd());
        });

    ObjectNode lag = json.putObject("schedule_lag");
    Summary.ScheduleLag scheduleLag = summary.scheduleLag();
    lag.put("p50_ms", scheduleLag.p50Ms());
    lag.put("p99_ms", scheduleLag.p99Ms());
    lag.put("max_ms", scheduleLag.maxMs());
    lag.put("mean_inter_arrival_ms", scheduleLag.meanInterArrivalMs());
    lag.put("threshold_ms", scheduleLag.thresholdMs());
    lag.put("behind_schedule", scheduleLag.behindSchedule());
    return json;
  }

  /** {@code mean_ttft_ms}, {@code median_ttft_ms}, {@code std_ttft_ms}, {@code p90_ttft_ms}, ... */
  private static void latency(ObjectNode json, String name, LatencyStats stats) {
    json.put("mean_" + name + "_ms", stats.meanMs());
    json.put("median_" + name + "_ms", stats.medianMs());
    json.put("std_" + name + "_ms", stats.stdMs());
    json.put("p90_" + name + "_ms", stats.p90Ms());
    json.put("p99_" + name + "_ms", stats.p99Ms());
    json.put("p99.9_" + name + "_ms", stats.p999Ms());
    json.put("min_" + name + "_ms", stats.minMs());
    json.put("max_" + name + "_ms", stats.maxMs());
    json.put(name + "_count", stats.count());
  }

  private static void millis(ObjectNode json, String field, Duration goal) {
    if (goal == null) {
      json.putNull(field);
    } else {
      json.put(field, goal.toNanos() / 1e6);
    }
  }
}
