package dev.spillway.backends.calibrate;

import dev.spillway.backends.emulator.Profiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Every row of a targets file reproduced and compared: per metric, predicted against published. */
final class Calibration {

  /** One metric of one row. */
  record Comparison(Scenario scenario, String metric, double predicted, double published) {
    double error() {
      return Math.abs(predicted - published) / published;
    }
  }

  /** The comparisons and their summary. */
  record Result(List<Comparison> comparisons) {
    double median() {
      return quantile(0.5);
    }

    double max() {
      return comparisons.stream().mapToDouble(Comparison::error).max().orElse(Double.NaN);
    }

    int n() {
      return comparisons.size();
    }

    private double quantile(double q) {
      double[] errors = comparisons.stream().mapToDouble(Comparison::error).sorted().toArray();
      if (errors.length == 0) {
        return Double.NaN;
      }
      if (errors.length % 2 == 1) {
        return errors[errors.length / 2];
      }
      return (errors[errors.length / 2 - 1] + errors[errors.length / 2]) / 2;
    }

    String summary() {
      return String.format(
          java.util.Locale.ROOT, "calibration: median=%.3f max=%.3f n=%d", median(), max(), n());
    }
  }

  private Calibration() {}

  /** Maps every row first, so an unmappable row fails before any simulation runs. */
  static List<Scenario> scenarios(List<TargetRow> rows, Profiles profiles) {
    List<Scenario> scenarios = new ArrayList<>();
    for (TargetRow row : rows) {
      scenarios.add(Scenario.of(row, profiles));
    }
    return scenarios;
  }

  static Result run(List<Scenario> scenarios, Profiles profiles) {
    List<List<Comparison>> perRow =
        scenarios.parallelStream().map(s -> compare(s, profiles)).collect(Collectors.toList());
    List<Comparison> all = new ArrayList<>();
    perRow.forEach(all::addAll);
    return new Result(all);
  }

  static List<Comparison> compare(Scenario scenario, Profiles profiles) {
    ClosedLoop.Measured m = ClosedLoop.run(scenario, profiles);
    TargetRow row = scenario.row();
    List<Comparison> out = new ArrayList<>(3);
    if (!Double.isNaN(row.ttftMs())) {
      out.add(new Comparison(scenario, "ttft_ms", m.ttftMs(), row.ttftMs()));
    }
    if (!Double.isNaN(row.tpotMs())) {
      out.add(new Comparison(scenario, "tpot_ms", m.tpotMs(), row.tpotMs()));
    }
    if (!Double.isNaN(row.throughputTokS())) {
      double predicted =
          decodeRateDefinition(row)
              ? scenario.clients() * 1000.0 / m.tpotMs()
              : m.throughputTokS();
      out.add(new Comparison(scenario, "throughput_tok_s", predicted, row.throughputTokS()));
    }
    return out;
  }

  /**
   * Whether the row's throughput was derived from its TPOT (concurrency × 1000 / TPOT, within 1%), as
   * Splitwise's and Cerebras's figures are: then the prediction is derived the same way, from the
   * predicted TPOT, rather than measured over the run (which would also count prefill time).
   */
  static boolean decodeRateDefinition(TargetRow row) {
    if (Double.isNaN(row.tpotMs()) || Double.isNaN(row.throughputTokS())) {
      return false;
    }
    double derived = Math.max(1, row.concurrency()) * 1000.0 / row.tpotMs();
    return Math.abs(derived - row.throughputTokS()) <= 0.01 * row.throughputTokS();
  }

  static String table(Result result) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%-5s %-15s %-44s %7s %-11s %-16s %11s %11s %6s%n", "line", "model", "deployment",
            "clients", "in/out", "metric", "predicted", "published", "error"));
    Scenario last = null;
    for (Comparison c : result.comparisons()) {
      Scenario s = c.scenario();
      boolean first = s != last;
      last = s;
      out.append(
          String.format(
              java.util.Locale.ROOT, "%-5s %-15s %-44s %7s %-11s %-16s %11.2f %11.2f %6.3f%n",
              first ? String.valueOf(s.row().line()) : "",
              first ? s.deployment().model().name() : "",
              first ? s.deployment().toString() : "",
              first ? String.valueOf(s.clients()) : "",
              first ? s.inputTokens() + "/" + s.outputTokens() : "",
              c.metric(), c.predicted(), c.published(), c.error()));
    }
    return out.toString();
  }

  static double[] errors(Result result) {
    return result.comparisons().stream().mapToDouble(Comparison::error).toArray();
  }

  static String describe(double[] values) {
    return Arrays.toString(values);
  }
}
