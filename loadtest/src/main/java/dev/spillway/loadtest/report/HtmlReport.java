package dev.spillway.loadtest.report;

import dev.spillway.loadtest.metrics.LatencySamples;
import dev.spillway.loadtest.metrics.LatencyStats;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.metrics.TimeSeries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.html}: one self-contained page — inline CSS and inline SVG drawn here, no scripts,
 * fonts, images or links — so it opens offline and can be mailed around. Tables of the summary, then
 * latency CDFs (TTFT, TPOT, E2E), throughput and latency over time in 1-second buckets, the share per
 * pool, and cost and price. URLs in the metadata are shown without their scheme, as plain text.
 */
public final class HtmlReport {

  /** Most points a CDF line draws; more add nothing visible. */
  private static final int CDF_POINTS = 400;

  private HtmlReport() {}

  /**
   * The page for a run's {@code summary}, its measured requests in 1-second buckets ({@code series})
   * and the latencies of its completed measured requests ({@code samples}).
   */
  public static String render(
      Summary summary, TimeSeries series, LatencySamples samples, Map<String, ?> metadata) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Spillway load test</title><style>")
        .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}")
        .append("table{border-collapse:collapse;margin:8px 0 18px}")
        .append("td,th{border:1px solid #ccc;padding:3px 9px;text-align:right}")
        .append("th{background:#f3f3f3}td.k,th.k{text-align:left}")
        .append(".warn{color:#b00;font-weight:bold}svg{display:block;margin:10px 0 22px}")
        .append("</style></head><body>\n<h1>Spillway load test</h1>\n");

    html.append("<h2>Run</h2><table>");
    metadata.forEach((key, value) -> row(html, key, display(String.valueOf(value))));
    html.append("</table>\n");

    html.append("<h2>Summary</h2><table>");
    row(html, "duration (s)", num(summary.durationSeconds()));
    row(html, "completed", Long.toString(summary.completed()));
    row(html, "failed", Long.toString(summary.failed()));
    row(html, "warm-up requests excluded", Long.toString(summary.warmupExcluded()));
    row(html, "request throughput (req/s)", num(summary.requestThroughput()));
    row(html, "request goodput (req/s)", summary.goals().any() ? num(summary.requestGoodput()) : "no SLO given");
    row(html, "output token throughput (tok/s)", num(summary.outputThroughput()));
    row(html, "total token throughput (tok/s)", num(summary.totalTokenThroughput()));
    row(html, "peak output tokens in 1 s", num(summary.maxOutputTokensPerSecond()));
    row(html, "peak concurrent requests", Long.toString(summary.maxConcurrentRequests()));
    html.append("</table>\n");

    html.append("<h2>Latency (ms)</h2><table><tr><th class=\"k\">metric</th><th>count</th><th>mean</th>")
        .append("<th>median</th><th>p90</th><th>p99</th><th>p99.9</th><th>std</th><th>max</th></tr>");
    latencyRow(html, "TTFT", summary.ttft());
    latencyRow(html, "TPOT", summary.tpot());
    latencyRow(html, "ITL", summary.itl());
    latencyRow(html, "E2E", summary.e2el());
    html.append("</table>\n<p>Latencies count from each request's intended start (no coordinated omission). ")
        .append("TPOT = (E2E − TTFT)/(tokens − 1) per request; ITL pools every gap between tokens.</p>\n");

    Summary.ScheduleLag lag = summary.scheduleLag();
    html.append("<h2>Schedule lag</h2><p>")
        .append(String.format(Locale.ROOT, "send − intended start: p50 %s ms, p99 %s ms, max %s ms (threshold %s ms). ",
            num(lag.p50Ms()), num(lag.p99Ms()), num(lag.maxMs()), num(lag.thresholdMs())));
    if (lag.behindSchedule()) {
      html.append("<span class=\"warn\">The driver fell behind its schedule: the offered load was lower than planned.</span>");
    } else {
      html.append("The driver kept to its schedule.");
    }
    html.append("</p>\n");

    if (!summary.errors().isEmpty()) {
      html.append("<h2>Errors</h2><table><tr><th class=\"k\">kind</th><th>requests</th></tr>");
      summary.errors().forEach((kind, count) -> row(html, kind, Long.toString(count)));
      html.append("</table>\n");
    }

    html.append("<h2>Latency distributions</h2>\n");
    html.append(cdf("TTFT CDF", samples.ttftMs(), Palette.color(0)));
    html.append(cdf("TPOT CDF", samples.tpotMs(), Palette.color(1)));
    html.append(cdf("E2E latency CDF", samples.e2eMs(), Palette.color(2)));

    html.append("<h2>Over time (1 s buckets)</h2>\n");
    List<TimeSeries.Bucket> buckets = series.buckets();
    double[] t = column(buckets, TimeSeries.Bucket::startSeconds);
    html.append(Svg.lineChart("Requests per second", "time (s)", "requests/s", List.of(
        new Svg.Series("sent", Palette.color(0), t, column(buckets, b -> b.sent())),
        new Svg.Series("completed", Palette.color(2), t, column(buckets, b -> b.completed())),
        new Svg.Series("failed", Palette.color(1), t, column(buckets, b -> b.failed())))));
    List<String> kinds = series.errorKinds();
    if (!kinds.isEmpty()) {
      List<Svg.Series> lines = new ArrayList<>();
      for (int i = 0; i < kinds.size(); i++) {
        String kind = kinds.get(i);
        lines.add(new Svg.Series(kind, Palette.color(i + 1), t, column(buckets, b -> b.errors(kind))));
      }
      html.append(Svg.lineChart("Errors per second by kind", "time (s)", "errors/s", lines));
    }
    html.append(Svg.lineChart("Output tokens per second", "time (s)", "tokens/s", List.of(
        new Svg.Series("output tokens", Palette.color(3), t, column(buckets, TimeSeries.Bucket::outputTokens)))));
    html.append(Svg.lineChart("Latency of requests completing in each second", "time (s)", "ms", List.of(
        new Svg.Series("TTFT p50", Palette.color(0), t, latencies(buckets, TimeSeries.Bucket::ttftP50Ms)),
        new Svg.Series("TTFT p99", Palette.color(4), t, latencies(buckets, TimeSeries.Bucket::ttftP99Ms)),
        new Svg.Series("E2E p50", Palette.color(2), t, latencies(buckets, TimeSeries.Bucket::e2eP50Ms)),
        new Svg.Series("E2E p99", Palette.color(1), t, latencies(buckets, TimeSeries.Bucket::e2eP99Ms)))));

    html.append("<h2>Pools</h2>\n");
    List<Svg.Bar> shares = new ArrayList<>();
    int color = 0;
    for (Map.Entry<String, Summary.PoolShare> pool : summary.pools().entrySet()) {
      Summary.PoolShare share = pool.getValue();
      shares.add(new Svg.Bar(pool.getKey(), share.share(),
          String.format(Locale.ROOT, "%.1f%% (%d)", share.share() * 100, share.requests()),
          Palette.color(color++)));
    }
    html.append(Svg.barChart("Share of completed requests per pool", shares));
    html.append("<table><tr><th class=\"k\">pool</th><th>requests</th><th>share</th><th>output tokens</th>")
        .append("<th>cost (USD)</th><th>price (USD)</th></tr>");
    summary.pools().forEach((name, share) -> html.append("<tr><td class=\"k\">").append(Svg.escape(name))
        .append("</td><td>").append(share.requests())
        .append("</td><td>").append(String.format(Locale.ROOT, "%.1f%%", share.share() * 100))
        .append("</td><td>").append(share.outputTokens())
        .append("</td><td>").append(money(share.costUsd()))
        .append("</td><td>").append(money(share.priceUsd())).append("</td></tr>"));
    html.append("</table>\n");

    html.append("<h2>Cost and price</h2><table>");
    Summary.Costs costs = summary.costs();
    row(html, "total cost (USD)", money(costs.totalCostUsd()));
    row(html, "total price (USD)", money(costs.totalPriceUsd()));
    row(html, "cost per 1M output tokens (USD)", money(costs.costPerMillionOutputTokensUsd()));
    row(html, "price per 1M output tokens (USD)", money(costs.pricePerMillionOutputTokensUsd()));
    html.append("</table>\n");
    List<Svg.Bar> money = new ArrayList<>();
    money.add(new Svg.Bar("cost, total", costs.totalCostUsd(), money(costs.totalCostUsd()), Palette.color(1)));
    money.add(new Svg.Bar("price, total", costs.totalPriceUsd(), money(costs.totalPriceUsd()), Palette.color(2)));
    summary.pools().forEach((name, share) -> {
      money.add(new Svg.Bar("cost, " + name, share.costUsd(), money(share.costUsd()), Palette.color(1)));
      money.add(new Svg.Bar("price, " + name, share.priceUsd(), money(share.priceUsd()), Palette.color(2)));
    });
    html.append(Svg.barChart("Cost and price (USD)", money));
    html.append("</body></html>\n");
    return html.toString();
  }

  private static String cdf(String title, double[] samples, String color) {
    double[] values = Arrays.stream(samples).filter(Double::isFinite).toArray();
    // A million samples sort in a fraction of a second on every core; the order is the same.
    Arrays.parallelSort(values);
    int n = values.length;
    int points = Math.min(n, CDF_POINTS);
    double[] xs = new double[points];
    double[] ys = new double[points];
    for (int i = 0; i < points; i++) {
      int index = points == 1 ? 0 : (int) Math.round((double) i * (n - 1) / (points - 1));
      xs[i] = values[index];
      ys[i] = (index + 1) / (double) n;
    }
    return Svg.lineChart(title, "ms", "fraction of requests", List.of(new Svg.Series(title.split(" ")[0], color, xs, ys)));
  }

  private static double[] column(List<TimeSeries.Bucket> buckets, ToDoubleFunction<TimeSeries.Bucket> f) {
    double[] values = new double[buckets.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = f.applyAsDouble(buckets.get(i));
    }
    return values;
  }

  /** A latency column; buckets where nothing completed have no latency and are left out of the line. */
  private static double[] latencies(List<TimeSeries.Bucket> buckets, ToDoubleFunction<TimeSeries.Bucket> f) {
    double[] values = column(buckets, f);
    for (int i = 0; i < values.length; i++) {
      if (buckets.get(i).completed() == 0) {
        values[i] = Double.NaN;
      }
    }
    return values;
  }

  private static void latencyRow(StringBuilder html, String name, LatencyStats s) {
    html.append("<tr><td class=\"k\">").append(name).append("</td><td>").append(s.count());
    for (double v : new double[] {s.meanMs(), s.medianMs(), s.p90Ms(), s.p99Ms(), s.p999Ms(), s.stdMs(), s.maxMs()}) {
      html.append("</td><td>").append(num(v));
    }
    html.append("</td></tr>");
  }

  private static void row(StringBuilder html, String key, String value) {
    html.append("<tr><td class=\"k\">").append(Svg.escape(key)).append("</td><td class=\"k\">")
        .append(Svg.escape(value)).append("</td></tr>");
  }

  /** {@code http://host:port/v1} shown as {@code host:port/v1 (http)}: text, never a link. */
  static String display(String value) {
    return value.replaceAll("(?i)\\b(https?)://(\\S+)", "$2 ($1)");
  }

  private static String num(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static String money(double usd) {
    return String.format(Locale.ROOT, "%.6f", usd);
  }
}
