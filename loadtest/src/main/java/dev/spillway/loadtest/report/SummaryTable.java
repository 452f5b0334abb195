package dev.spillway.loadtest.report;

import dev.spillway.loadtest.metrics.LatencyStats;
import dev.spillway.loadtest.metrics.Summary;
import java.util.Locale;

/** The summary as the text table printed at the end of a run, laid out like vLLM's bench output. */
public final class SummaryTable {

  private static final int WIDTH = 50;

  private SummaryTable() {}

  public static String render(Summary s) {
    StringBuilder out = new StringBuilder(2048);
    heading(out, " Serving Benchmark Result ", '=');
    line(out, "Successful requests:", s.completed());
    line(out, "Failed requests:", s.failed());
    if (s.warmupExcluded() > 0) {
      line(out, "Warm-up requests (excluded):", s.warmupExcluded());
    }
    line(out, "Benchmark duration (s):", s.durationSeconds());
    line(out, "Total input tokens:", s.totalInputTokens());
    line(out, "Total generated tokens:", s.totalOutputTokens());
    line(out, "Request throughput (req/s):", s.requestThroughput());
    if (s.goals().any()) {
      line(out, "Request goodput (req/s):", s.requestGoodput());
    }
    line(out, "Output token throughput (tok/s):", s.outputThroughput());
    line(out, "Peak output token throughput (tok/s):", s.maxOutputTokensPerSecond());
    line(out, "Peak concurrent requests:", s.maxConcurrentRequests());
    line(out, "Total Token throughput (tok/s):", s.totalTokenThroughput());
    latency(out, "Time to First Token", "TTFT", s.ttft());
    latency(out, "Time per Output Token (excl. 1st token)", "TPOT", s.tpot());
    latency(out, "Inter-token Latency", "ITL", s.itl());
    latency(out, "End-to-end Latency", "E2EL", s.e2el());
    if (!s.errors().isEmpty()) {
      heading(out, "Errors", '-');
      s.errors().forEach((kind, count) -> line(out, kind + ":", count));
    }
    if (!s.pools().isEmpty()) {
      heading(out, "Pools", '-');
      s.pools().forEach(
          (name, share) ->
              line(out, name + ":", String.format(Locale.ROOT, "%d (%.1f%%)", share.requests(), share.share() * 100)));
    }
    if (s.costs().totalCostUsd() != 0 || s.costs().totalPriceUsd() != 0) {
      heading(out, "Cost", '-');
      line(out, "Total cost (USD):", String.format(Locale.ROOT, "%.6f", s.costs().totalCostUsd()));
      line(out, "Total price (USD):", String.format(Locale.ROOT, "%.6f", s.costs().totalPriceUsd()));
      line(out, "Cost per 1M output tokens (USD):", String.format(Locale.ROOT, "%.4f", s.costs().costPerMillionOutputTokensUsd()));
      line(out, "Price per 1M output tokens (USD):", String.format(Locale.ROOT, "%.4f", s.costs().pricePerMillionOutputTokensUsd()));
    }
    heading(out, "Schedule lag", '-');
    Summary.ScheduleLag lag = s.scheduleLag();
    line(out, "P50 lag (ms):", lag.p50Ms());
    line(out, "P99 lag (ms):", lag.p99Ms());
    line(out, "Max lag (ms):", lag.maxMs());
    if (lag.behindSchedule()) {
      out.append("BEHIND SCHEDULE: p99 lag over ").append(String.format(Locale.ROOT, "%.2f", lag.thresholdMs()))
          .append(" ms; the offered load was lower than planned\n");
    }
    out.append("=".repeat(WIDTH)).append('\n');
    return out.toString();
  }

  private static void latency(StringBuilder out, String title, String name, LatencyStats stats) {
    heading(out, title, '-');
    line(out, "Mean " + name + " (ms):", stats.meanMs());
    line(out, "Median " + name + " (ms):", stats.medianMs());
    line(out, "P90 " + name + " (ms):", stats.p90Ms());
    line(out, "P99 " + name + " (ms):", stats.p99Ms());
    line(out, "P99.9 " + name + " (ms):", stats.p999Ms());
  }

  private static void heading(StringBuilder out, String title, char fill) {
    int left = Math.max(0, (WIDTH - title.length()) / 2);
    int right = Math.max(0, WIDTH - title.length() - left);
    out.append(String.valueOf(fill).repeat(left)).append(title).append(String.valueOf(fill).repeat(right)).append('\n');
  }

  private static void line(StringBuilder out, String label, double value) {
    line(out, label, String.format(Locale.ROOT, "%.2f", value));
  }

  private static void line(StringBuilder out, String label, long value) {
    line(out, label, Long.toString(value));
  }

  private static void line(StringBuilder out, String label, String value) {
    out.append(String.format(Locale.ROOT, "%-40s%s%n", label, value));
  }
}
