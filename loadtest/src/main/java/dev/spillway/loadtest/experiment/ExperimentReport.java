package dev.spillway.loadtest.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.report.Palette;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * An experiment's files: {@code results.json} (every run), {@code results.md} (a comparison table per
 * rate, then every equal-cost candidate), {@code plot-*.svg} (metrics against the rate) and
 * {@code report.html}, which holds the same tables and plots inline with no external reference of any
 * kind. Pure functions of the {@link ExperimentResults}.
 */
public final class ExperimentReport {

  public static final String RESULTS_JSON = "results.json";
  public static final String RESULTS_MD = "results.md";
  public static final String REPORT_HTML = "report.html";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String BASELINE_COLOR = "#000000";

  /** A table in cells, rendered as Markdown or HTML. */
  record Table(List<String> header, List<List<String>> rows) {}

  /** One plot: its file name and its SVG builder. */
  record Plot(String file, RateChart chart) {}

  private ExperimentReport() {}

  /** Writes every file into {@code dir}, created if needed; older files are replaced. */
  public static void write(Path dir, ExperimentResults results) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve(RESULTS_JSON).toFile(), json(results));
    Files.writeString(dir.resolve(RESULTS_MD), markdown(results), StandardCharsets.UTF_8);
    for (Plot plot : plots(results)) {
      Files.writeString(dir.resolve(plot.file()), plot.chart().svg(true), StandardCharsets.UTF_8);
    }
    Files.writeString(dir.resolve(REPORT_HTML), html(results), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- JSON

  static ObjectNode json(ExperimentResults results) {
    ExperimentSpec spec = results.spec();
    ObjectNode json = JSON.createObjectNode();
    json.put("experiment", spec.name());
    json.put("mode", results.mode());
    json.put("source", spec.source());
    json.put("model", spec.model());
    ObjectNode workload = json.putObject("workload");
    describeWorkload(spec).forEach(workload::put);
    ObjectNode slo = workload.putObject("slo");
    millis(slo, "ttft_ms", spec.goals().ttft());
    millis(slo, "tpot_ms", spec.goals().tpot());
    millis(slo, "e2e_ms", spec.goals().e2e());
    json.put("routing_objective", spec.routeToGoals() ? "slo goals" : "fleet");
    ArrayNode rates = json.putArray("rates");
    spec.rates().forEach(rates::add);
    ArrayNode policies = json.putArray("policies");
    spec.policies().forEach(policies::add);

    ObjectNode fleet = json.putObject("fleet");
    fleet.put("cost_per_hour_usd", spec.fleet().costPerHour());
    ArrayNode pools = fleet.putArray("pools");
    for (Fleet.Pool pool : spec.fleet().pools()) {
      ObjectNode p = pools.addObject();
      p.put("name", pool.config().name());
      p.put("accelerator", pool.accelerator());
      p.put("deployment", pool.description());
      p.put("replicas", pool.replicas());
      p.put("replica_cost_per_hour_usd", pool.replicaCostPerHour());
      p.put("cost_per_hour_usd", pool.costPerHour());
    }

    if (spec.baseline() == null) {
      json.putNull("baseline");
    } else {
      ObjectNode baseline = json.putObject("baseline");
      baseline.put("kind", spec.baseline().kind());
      baseline.put("policy", spec.baseline().policy());
      baseline.put("budget_per_hour_usd", spec.fleet().costPerHour());
      baseline.put("best", results.best() == null ? null : results.best().name());
      ArrayNode candidates = baseline.putArray("candidates");
      for (ExperimentResults.Candidate c : results.candidates()) {
        ObjectNode candidate = candidates.addObject();
        candidate.put("name", c.name());
        candidate.put("accelerator", c.accelerator());
        candidate.put("replicas", c.replicas());
        candidate.put("cost_per_hour_usd", c.costPerHour());
      }
    }

    ArrayNode runs = json.putArray("runs");
    results.policyRuns().forEach(run -> run(runs.addObject(), run, false));
    for (ExperimentResults.Candidate c : results.candidates()) {
      c.runs().forEach(run -> run(runs.addObject(), run, c == results.best()));
    }
    json.put("wall_time_s", results.wallSeconds());
    return json;
  }

  private static void run(ObjectNode r, RunResult run, boolean bestBaseline) {
    Summary s = run.summary();
    r.put("name", run.name());
    r.put("kind", run.kind().wireName());
    r.put("policy", run.policy());
    r.put("accelerator", run.accelerator());
    r.put("best_baseline", bestBaseline);
    r.put("rate", run.rate());
    r.put("fleet_cost_per_hour_usd", run.fleetCostPerHour());
    r.put("slo_attainment", run.sloAttainment());
    r.put("arrival_rate_rps", run.window().arrivalRate());
    r.put("arrival_window_s", run.window().seconds());
    r.put("window_output_tokens", run.window().outputTokens());
    r.put("goodput_rps", run.goodput());
    r.put("goodput_over_duration_rps", run.goodputOverDuration());
    r.put("throughput_rps", s.requestThroughput());
    r.put("ttft_p50_ms", s.ttft().medianMs());
    r.put("ttft_p99_ms", s.ttft().p99Ms());
    r.put("tpot_p50_ms", s.tpot().medianMs());
    r.put("tpot_p99_ms", s.tpot().p99Ms());
    r.put("e2el_p99_ms", s.e2el().p99Ms());
    r.put("cost_per_1m_output_tokens_usd", run.costPerMillionOutputTokens());
    number(r, "fleet_cost_per_1m_output_tokens_usd", run.fleetCostPerMillionOutputTokens());
    r.put("price_per_1m_output_tokens_usd", run.pricePerMillionOutputTokens());
    r.put("completed", s.completed());
    r.put("failed", s.failed());
    ObjectNode errors = r.putObject("errors");
    s.errors().forEach(errors::put);
    r.put("output_tokens", s.totalOutputTokens());
    r.put("duration_s", s.durationSeconds());
    ObjectNode share = r.putObject("pool_share");
    run.poolShares().forEach(share::put);
    ObjectNode predictions = r.putObject("prediction_error");
    run.predictionErrors().forEach((pool, e) -> {
      ObjectNode p = predictions.putObject(pool);
      p.put("ttft_samples", e.ttftSamples());
      number(p, "ttft_median_abs_error", e.ttftMedianAbsError());
      number(p, "ttft_median_bias", e.ttftMedianBias());
      p.put("tpot_samples", e.tpotSamples());
      number(p, "tpot_median_abs_error", e.tpotMedianAbsError());
      number(p, "tpot_median_bias", e.tpotMedianBias());
    });
    r.put("wall_time_s", run.wallSeconds());
  }

  private static void millis(ObjectNode json, String field, Duration goal) {
    if (goal == null) {
      json.putNull(field);
    } else {
      json.put(field, goal.toNanos() / 1e6);
    }
  }

  private static void number(ObjectNode json, String field, double value) {
    if (Double.isFinite(value)) {
      json.put(field, value);
    } else {
      json.putNull(field);
    }
  }

  // ---------------------------------------------------------------- Markdown

  /** {@code results.md}: what was run, a comparison table per rate, then every equal-cost candidate. */
  public static String markdown(ExperimentResults results) {
    ExperimentSpec spec = results.spec();
    StringBuilder md = new StringBuilder(16 * 1024);
    md.append("# Experiment").append(results.live() ? " (live)" : "").append(": ").append(spec.name()).append("\n\n");
    for (String line : preamble(results)) {
      md.append("- ").append(line).append('\n');
    }
    md.append('\n').append(COLUMNS_NOTE).append("\n");
    for (double rate : spec.rates()) {
      md.append("\n## ").append(rate(rate)).append(" req/s\n\n");
      appendMarkdown(md, comparison(results, rate));
      Table errors = predictionErrors(results, rate);
      if (!errors.rows().isEmpty()) {
        md.append('\n').append(PREDICTION_NOTE).append("\n\n");
        appendMarkdown(md, errors);
      }
    }
    if (!results.candidates().isEmpty()) {
      md.append("\n## Equal-cost single-accelerator fleets (").append(spec.baseline().policy()).append(")\n\n");
      md.append("Budget: the mixed fleet's ").append(money(spec.fleet().costPerHour())).append("/h. ")
          .append("The best (most goodput at ").append(rate(spec.highestRate()))
          .append(" req/s, ties by the lower busy cost per 1M output tokens) is the baseline above.\n\n");
      appendMarkdown(md, candidates(results));
    }
    return md.toString();
  }

  static final String COLUMNS_NOTE =
      "Attainment: the share of measured requests that completed within every SLO goal. Goodput: "
          + "attainment × the measured arrival rate, so the drain after the last arrival does not count "
          + "against slower fleets (results.json also has vLLM's good requests / duration). "
          + "Busy $/1M out: each engine step's share of its replica's price, summed over requests, per "
          + "million output tokens (idle replicas cost nothing). Fleet $/1M out: every replica of the "
          + "fleet, busy or idle, over the arrival window, per million output tokens streamed in that "
          + "window (below saturation, equal-cost fleets are equal here). Price: what tenants are billed "
          + "at the model's list price.";

  private static List<String> preamble(ExperimentResults results) {
    ExperimentSpec spec = results.spec();
    List<String> lines = new ArrayList<>();
    Map<String, String> w = describeWorkload(spec);
    if (results.live()) {
      lines.add("Live: every run went through an in-process gateway over HTTP on 127.0.0.1 in real time "
          + "(emulated engines), one run after another; not simulated.");
    }
    lines.add("Model `" + spec.model() + "`; " + w.get("arrival") + " arrivals; " + w.get("requests")
        + " requests per run (warm-up: " + w.get("warmup") + "); input " + w.get("input_len") + ", output "
        + w.get("output_len") + " tokens; tiers " + w.get("tiers") + "; seed " + w.get("seed") + ".");
    lines.add("SLO goals: " + goals(spec.goals()) + (spec.routeToGoals()
        ? " (also the routing objective of every tier)."
        : " (routing uses the fleet's own per-tier objectives)."));
    StringBuilder fleet = new StringBuilder("Mixed fleet, ").append(money(spec.fleet().costPerHour())).append("/h: ");
    List<String> pools = spec.fleet().describe();
    fleet.append(String.join("; ", pools)).append('.');
    lines.add(fleet.toString());
    if (results.best() != null) {
      lines.add("Baseline: " + results.best().name() + " (" + money(results.best().costPerHour()) + "/h, "
          + spec.baseline().policy() + "), the best of " + results.candidates().size()
          + " equal-cost single-accelerator fleets.");
    }
    return lines;
  }

  static Table comparison(ExperimentResults results, double rate) {
    List<List<String>> rows = new ArrayList<>();
    for (RunResult run : results.comparisonAt(rate)) {
      String name = run.kind() == RunResult.Kind.BASELINE
          ? "baseline: " + run.name() + " (" + run.policy() + ")"
          : run.name();
      rows.add(row(name, run));
    }
    return new Table(HEADER, rows);
  }

  static Table candidates(ExperimentResults results) {
    List<String> header = new ArrayList<>();
    header.add("rate (req/s)");
    header.addAll(HEADER);
    List<List<String>> rows = new ArrayList<>();
    for (ExperimentResults.Candidate c : results.candidates()) {
      for (RunResult run : c.runs()) {
        List<String> row = new ArrayList<>();
        row.add(rate(run.rate()));
        row.addAll(row(c == results.best() ? run.name() + " (best)" : run.name(), run));
        rows.add(row);
      }
    }
    return new Table(header, rows);
  }

  private static final List<String> HEADER = List.of(
      "run", "fleet $/h", "attainment", "goodput (req/s)", "TTFT p50 (ms)", "TTFT p99 (ms)",
      "TPOT p50 (ms)", "TPOT p99 (ms)", "busy $/1M out", "fleet $/1M out", "price $/1M out", "completed",
      "failed", "share per pool");

  private static List<String> row(String name, RunResult run) {
    Summary s = run.summary();
    return List.of(
        name,
        String.format(Locale.ROOT, "%.2f", run.fleetCostPerHour()),
        String.format(Locale.ROOT, "%.1f%%", run.sloAttainment() * 100),
        String.format(Locale.ROOT, "%.2f", run.goodput()),
        millis(s.ttft().medianMs()),
        millis(s.ttft().p99Ms()),
        millis(s.tpot().medianMs()),
        millis(s.tpot().p99Ms()),
        perMillion(run.costPerMillionOutputTokens()),
        perMillion(run.fleetCostPerMillionOutputTokens()),
        perMillion(run.pricePerMillionOutputTokens()),
        Long.toString(s.completed()),
        Long.toString(s.failed()),
        shares(run));
  }

  static final String PREDICTION_NOTE =
      "Prediction error per pool: the prediction each request was bound on (the chosen replica's TTFT "
          + "from binding and TPOT) against what happened; median |error| and median bias, relative to "
          + "the actual value (+: predicted slower than it was).";

  private static final List<String> PREDICTION_HEADER = List.of(
      "run", "pool", "requests", "TTFT abs error", "TTFT bias", "TPOT abs error", "TPOT bias");

  /** One row per run at {@code rate} and pool with predictions. */
  static Table predictionErrors(ExperimentResults results, double rate) {
    List<List<String>> rows = new ArrayList<>();
    for (RunResult run : results.comparisonAt(rate)) {
      String name = run.kind() == RunResult.Kind.BASELINE ? "baseline: " + run.name() : run.name();
      run.predictionErrors().forEach((pool, e) -> rows.add(List.of(
          name, shortPool(pool), Long.toString(e.ttftSamples()), percent(e.ttftMedianAbsError()),
          signedPercent(e.ttftMedianBias()), percent(e.tpotMedianAbsError()),
          signedPercent(e.tpotMedianBias()))));
    }
    return new Table(PREDICTION_HEADER, rows);
  }

  private static String percent(double fraction) {
    return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", fraction * 100) : "-";
  }

  private static String signedPercent(double fraction) {
    return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%+.1f%%", fraction * 100) : "-";
  }

  private static String shares(RunResult run) {
    List<String> parts = new ArrayList<>();
    run.poolShares().forEach((pool, share) -> parts.add(
        String.format(Locale.ROOT, "%s %.0f%%", shortPool(pool), share * 100)));
    return parts.isEmpty() ? "-" : String.join(", ", parts);
  }

  /** {@code llama-3.3-70b@p5} → {@code p5}. */
  static String shortPool(String pool) {
    int at = pool.lastIndexOf('@');
    return at >= 0 ? pool.substring(at + 1) : pool;
  }

  /** Text columns: the run, the pool and the pool shares. */
  private static boolean leftAligned(String header) {
    return header.equals("run") || header.equals("pool") || header.startsWith("share");
  }

  private static void appendMarkdown(StringBuilder md, Table table) {
    md.append('|');
    table.header().forEach(h -> md.append(' ').append(h).append(" |"));
    md.append("\n|");
    for (int i = 0; i < table.header().size(); i++) {
      md.append(i == 0 || leftAligned(table.header().get(i))
          ? "---|" : "---:|");
    }
    md.append('\n');
    for (List<String> row : table.rows()) {
      md.append('|');
      row.forEach(cell -> md.append(' ').append(cell.replace("|", "\\|")).append(" |"));
      md.append('\n');
    }
  }

  // ---------------------------------------------------------------- plots

  static List<Plot> plots(ExperimentResults results) {
    ExperimentSpec spec = results.spec();
    List<Plot> plots = new ArrayList<>();
    double[] rates = spec.rates().stream().mapToDouble(Double::doubleValue).toArray();
    RateChart.Series offered = new RateChart.Series("offered", Palette.GREY, true, rates, rates);
    RateChart goodput = chart(results, "Goodput (requests/s meeting every SLO goal)", "goodput (req/s)",
        RateChart.Scale.LINEAR, RunResult::goodput, offered);
    plots.add(new Plot("plot-goodput.svg", goodput));
    plots.add(new Plot("plot-attainment.svg", chart(results, "SLO attainment", "measured requests within SLO (%)",
        RateChart.Scale.LINEAR, r -> r.sloAttainment() * 100, null)));
    RateChart ttft = chart(results, "TTFT p99", "ms (log scale)", RateChart.Scale.LOG, r -> latency(r, r.summary().ttft().p99Ms()), null);
    if (spec.goals().ttft() != null) {
      ttft.reference(spec.goals().ttft().toNanos() / 1e6, "TTFT goal");
    }
    plots.add(new Plot("plot-ttft-p99.svg", ttft));
    RateChart tpot = chart(results, "TPOT p99", "ms (log scale)", RateChart.Scale.LOG, r -> latency(r, r.summary().tpot().p99Ms()), null);
    if (spec.goals().tpot() != null) {
      tpot.reference(spec.goals().tpot().toNanos() / 1e6, "TPOT goal");
    }
    plots.add(new Plot("plot-tpot-p99.svg", tpot));
    plots.add(new Plot("plot-cost.svg", chart(results, "Busy cost per 1M output tokens (engine steps only)",
        "USD (log scale)", RateChart.Scale.LOG, RunResult::costPerMillionOutputTokens, null)));
    plots.add(new Plot("plot-fleet-cost.svg", chart(results, "Fleet cost per 1M output tokens (every replica, busy or idle)",
        "USD (log scale)", RateChart.Scale.LOG, RunResult::fleetCostPerMillionOutputTokens, null)));
    if (!results.candidates().isEmpty()) {
      RateChart baselines = new RateChart("Goodput: equal-cost single-accelerator fleets and the mixed fleet",
          "offered rate (req/s)", "goodput (req/s)", RateChart.Scale.LINEAR);
      baselines.add(offered);
      int color = 0;
      for (ExperimentResults.Candidate c : results.candidates()) {
        baselines.add(series(c.name() + " (" + spec.baseline().policy() + ")",
            Palette.color(4 + color++), true, c.runs(), RunResult::goodput));
      }
      String best = bestPolicy(results);
      baselines.add(series("mixed fleet, " + best + " (its best policy)",
          Palette.color(spec.policies().indexOf(best)), false,
          results.runsOf(best), RunResult::goodput));
      plots.add(new Plot("plot-baselines.svg", baselines));
    }
    return plots;
  }

  /** The policy with the most goodput summed over the rates: the mixed fleet at its best. */
  static String bestPolicy(ExperimentResults results) {
    String best = results.spec().policies().get(0);
    double most = -1;
    for (String policy : results.spec().policies()) {
      double sum = results.runsOf(policy).stream().mapToDouble(RunResult::goodput).sum();
      if (sum > most) {
        most = sum;
        best = policy;
      }
    }
    return best;
  }

  /** A latency, or a gap when the run completed nothing to measure it on. */
  private static double latency(RunResult run, double ms) {
    return run.summary().completed() == 0 ? Double.NaN : ms;
  }

  /** One line per policy, then the best baseline; {@code under}, when given, is drawn first. */
  private static RateChart chart(
      ExperimentResults results, String title, String yLabel, RateChart.Scale scale,
      ToDoubleFunction<RunResult> metric, RateChart.Series under) {
    RateChart chart = new RateChart(title, "offered rate (req/s)", yLabel, scale);
    if (under != null) {
      chart.add(under);
    }
    List<String> policies = results.spec().policies();
    for (int i = 0; i < policies.size(); i++) {
      chart.add(series(policies.get(i), Palette.color(i), false,
          results.runsOf(policies.get(i)), metric));
    }
    if (results.best() != null) {
      chart.add(series("baseline: " + results.best().name(), BASELINE_COLOR, true, results.best().runs(), metric));
    }
    return chart;
  }

  private static RateChart.Series series(
      String name, String color, boolean dashed, List<RunResult> runs, ToDoubleFunction<RunResult> metric) {
    double[] xs = new double[runs.size()];
    double[] ys = new double[runs.size()];
    for (int i = 0; i < runs.size(); i++) {
      xs[i] = runs.get(i).rate();
      ys[i] = metric.applyAsDouble(runs.get(i));
    }
    return new RateChart.Series(name, color, dashed, xs, ys);
  }

  // ---------------------------------------------------------------- HTML

  static String html(ExperimentResults results) {
    ExperimentSpec spec = results.spec();
    StringBuilder html = new StringBuilder(128 * 1024);
    String liveTag = results.live() ? " (live)" : "";
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Spillway experiment").append(liveTag).append(": ").append(RateChart.escape(spec.name()))
        .append("</title><style>")
        .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}")
        .append("table{border-collapse:collapse;margin:8px 0 18px;font-size:13px}")
        .append("td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}")
        .append("th{background:#f3f3f3}td.k,th.k{text-align:left}")
        .append("svg{display:block;margin:10px 0 22px}")
        .append("</style></head><body>\n<h1>Spillway experiment").append(liveTag).append(": ")
        .append(RateChart.escape(spec.name())).append("</h1>\n<ul>");
    for (String line : preamble(results)) {
      html.append("<li>").append(RateChart.escape(line.replace("`", ""))).append("</li>");
    }
    html.append("</ul>\n<p>").append(RateChart.escape(COLUMNS_NOTE)).append("</p>\n");
    for (double rate : spec.rates()) {
      html.append("<h2>").append(rate(rate)).append(" req/s</h2>\n");
      appendHtml(html, comparison(results, rate));
      Table errors = predictionErrors(results, rate);
      if (!errors.rows().isEmpty()) {
        html.append("<p>").append(RateChart.escape(PREDICTION_NOTE)).append("</p>\n");
        appendHtml(html, errors);
      }
    }
    html.append("<h2>Plots</h2>\n");
    for (Plot plot : plots(results)) {
      html.append(plot.chart().svg(false));
    }
    if (!results.candidates().isEmpty()) {
      html.append("<h2>Equal-cost single-accelerator fleets (").append(RateChart.escape(spec.baseline().policy()))
          .append(")</h2>\n");
      appendHtml(html, candidates(results));
    }
    html.append("<p>Wall time: ").append(String.format(Locale.ROOT, "%.1f s", results.wallSeconds()))
        .append(". Source: ").append(RateChart.escape(spec.source())).append(".</p>\n</body></html>\n");
    return html.toString();
  }

  private static void appendHtml(StringBuilder html, Table table) {
    html.append("<table><tr>");
    for (String h : table.header()) {
      html.append(leftAligned(h) ? "<th class=\"k\">" : "<th>")
          .append(RateChart.escape(h)).append("</th>");
    }
    html.append("</tr>");
    for (List<String> row : table.rows()) {
      html.append("<tr>");
      for (int i = 0; i < row.size(); i++) {
        String h = table.header().get(i);
        html.append(leftAligned(h) ? "<td class=\"k\">" : "<td>")
            .append(RateChart.escape(row.get(i))).append("</td>");
      }
      html.append("</tr>");
    }
    html.append("</table>\n");
  }

  // ---------------------------------------------------------------- formatting

  static Map<String, String> describeWorkload(ExperimentSpec spec) {
    WorkloadOptions w = spec.workload();
    Map<String, String> d = new LinkedHashMap<>();
    d.put("arrival", w.arrival().describe().replaceFirst(" [0-9.]+/s", "").trim());
    d.put("requests", w.requests() == 0 ? "no limit" : Long.toString(w.requests()));
    d.put("duration_limit", w.duration() == null ? "none" : w.duration().toString());
    d.put("warmup", w.warmup().isNone() ? "none"
        : w.warmup().requests() > 0 ? w.warmup().requests() + " requests" : w.warmup().duration().toMillis() / 1000.0 + " s");
    d.put("input_len", w.inputLength().text());
    d.put("output_len", w.outputLength().text());
    d.put("tiers", w.tiers().map(ServiceTier::wireName).toString());
    d.put("tenants", w.tenants().toString());
    d.put("prefix_ratio", Double.toString(w.prefixRatio()));
    d.put("seed", Long.toString(w.seed()));
    return d;
  }

  static String goals(SloGoals goals) {
    List<String> parts = new ArrayList<>();
    if (goals.ttft() != null) {
      parts.add("TTFT ≤ " + millis(goals.ttft().toNanos() / 1e6) + " ms");
    }
    if (goals.tpot() != null) {
      parts.add("TPOT ≤ " + millis(goals.tpot().toNanos() / 1e6) + " ms");
    }
    if (goals.e2e() != null) {
      parts.add("E2E ≤ " + millis(goals.e2e().toNanos() / 1e6) + " ms");
    }
    return String.join(", ", parts);
  }

  static String rate(double rate) {
    return RateChart.label(rate);
  }

  private static String millis(double ms) {
    if (ms < 10) {
      return String.format(Locale.ROOT, "%.2f", ms);
    }
    if (ms < 100) {
      return String.format(Locale.ROOT, "%.1f", ms);
    }
    return String.format(Locale.ROOT, "%.0f", ms);
  }

  private static String perMillion(double usd) {
    if (!Double.isFinite(usd)) {
      return "-";
    }
    return String.format(Locale.ROOT, usd < 1 ? "%.3f" : "%.2f", usd);
  }

  private static String money(double usd) {
    return String.format(Locale.ROOT, "$%.2f", usd);
  }
}
