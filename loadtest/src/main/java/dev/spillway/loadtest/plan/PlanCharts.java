package dev.spillway.loadtest.plan;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.report.Axes;
import dev.spillway.loadtest.report.Palette;
import dev.spillway.loadtest.report.Xml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The plan's two SVG charts, self-contained files in the style of the run and experiment reports:
 * cost against attainment for every fleet simulated, and the chosen fleet's share of requests per pool
 * over time.
 */
final class PlanCharts {

  private static final int WIDTH = 760;
  private static final int HEIGHT = 360;
  private static final int LEFT = 74;
  private static final int RIGHT = 24;
  private static final int TOP = 52;
  private static final int BOTTOM = 46;

  private PlanCharts() {}

  /**
   * Every composition simulated: x its $/hour, y each tier's attainment under its best policy, one
   * colour per tier, filled where the fleet meets every target; dashed lines at the targets; the chosen
   * fleet ringed.
   */
  static String costAgainstAttainment(PlanResult result) {
    List<ServiceTier> tiers = result.spec().tiers();
    double xMax = 0;
    double yMin = 1;
    for (Evaluation e : result.evaluations()) {
      xMax = Math.max(xMax, e.costPerHour());
      for (double a : e.best().attainment().values()) {
        yMin = Math.min(yMin, a);
      }
    }
    for (ServiceTier tier : tiers) {
      yMin = Math.min(yMin, result.spec().slo().get(tier).attainment());
    }
    double[] xTicks = Axes.ticks(0, xMax > 0 ? xMax : 1, 8);
    double[] yTicks = Axes.ticks(Math.max(0, yMin - 0.02), 1, 6);
    Frame frame = new Frame(xTicks[0], xTicks[xTicks.length - 1], yTicks[0], yTicks[yTicks.length - 1]);
    StringBuilder svg = open("Cost against SLO attainment, every fleet simulated", "fleet $/hour",
        "attainment", frame, xTicks, yTicks);
    for (int t = 0; t < tiers.size(); t++) {
      ServiceTier tier = tiers.get(t);
      String color = Palette.color(t);
      double target = result.spec().slo().get(tier).attainment();
      double y = frame.y(target);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"5,4\"/>",
          LEFT, y, WIDTH - RIGHT, y, color));
      for (Evaluation e : result.evaluations()) {
        Trial best = e.best();
        svg.append(String.format(Locale.ROOT,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" stroke=\"%s\" fill=\"%s\"><title>%s</title></circle>",
            frame.x(e.costPerHour()), frame.y(best.attainment().get(tier)), color, e.meets() ? color : "#fff",
            Xml.escape(String.format(Locale.ROOT, "%s, %s: $%.2f/h, %s %.4f",
                e.composition().describe(result.spec().candidates()), best.policy(), e.costPerHour(),
                tier.wireName(), best.attainment().get(tier)))));
      }
      legend(svg, t, color, tier.wireName() + " (target " + Axes.label(target) + ")");
    }
    if (result.best() != null) {
      for (ServiceTier tier : tiers) {
        svg.append(String.format(Locale.ROOT,
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"8\" stroke=\"#000\" stroke-width=\"1.5\" fill=\"none\"/>",
            frame.x(result.best().costPerHour()), frame.y(result.best().verified().attainment().get(tier))));
      }
      legend(svg, tiers.size(), "#000", "chosen: " + result.best().composition().describe(result.spec().candidates()));
    }
    return svg.append("</svg>\n").toString();
  }

  /** The chosen fleet's requests per pool per interval, as shares stacked to 100%. */
  static String poolShares(Choice choice) {
    Map<String, long[]> counts = choice.shares().counts();
    int buckets = choice.shares().buckets();
    double minutes = choice.shares().bucketNanos() / 60e9;
    double xMax = buckets * minutes;
    double[] xTicks = Axes.ticks(0, xMax > 0 ? xMax : 1, 8);
    double[] yTicks = {0, 0.25, 0.5, 0.75, 1};
    Frame frame = new Frame(0, xTicks[xTicks.length - 1], 0, 1);
    StringBuilder svg = open(
        "Share of requests per pool over time: " + choice.label(), "minutes from the first arrival",
        "share of requests", frame, xTicks, yTicks);
    long[] totals = new long[buckets];
    counts.values().forEach(series -> {
      for (int i = 0; i < buckets; i++) {
        totals[i] += series[i];
      }
    });
    double[] below = new double[buckets];
    int p = 0;
    for (Map.Entry<String, long[]> pool : counts.entrySet()) {
      String color = pool.getKey().isEmpty() ? Palette.GREY : Palette.color(p);
      List<String> upper = new ArrayList<>();
      List<String> lower = new ArrayList<>();
      for (int i = 0; i < buckets; i++) {
        double share = totals[i] == 0 ? 0 : (double) pool.getValue()[i] / totals[i];
        for (double x : new double[] {i * minutes, (i + 1) * minutes}) {
          lower.add(0, String.format(Locale.ROOT, "%.1f,%.1f", frame.x(x), frame.y(below[i])));
          upper.add(String.format(Locale.ROOT, "%.1f,%.1f", frame.x(x), frame.y(below[i] + share)));
        }
        below[i] += share;
      }
      upper.addAll(lower);
      svg.append(String.format(Locale.ROOT, "<polygon points=\"%s\" fill=\"%s\" fill-opacity=\"0.75\" stroke=\"none\"/>",
          String.join(" ", upper), color));
      legend(svg, p, color, pool.getKey().isEmpty() ? "turned away" : pool.getKey());
      p++;
    }
    return svg.append("</svg>\n").toString();
  }

  /** Maps data to pixels. */
  private record Frame(double x0, double x1, double y0, double y1) {
    double x(double value) {
      return LEFT + (value - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    }

    double y(double value) {
      return HEIGHT - BOTTOM - (value - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM);
    }
  }

  private static StringBuilder open(
      String title, String xLabel, String yLabel, Frame frame, double[] xTicks, double[] yTicks) {
    StringBuilder svg = new StringBuilder(32 * 1024);
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\""
            + " font-family=\"sans-serif\" font-size=\"11\">",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append("<title>").append(Xml.escape(title)).append("</title>");
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>", LEFT, Xml.escape(title)));
    svg.append("<g stroke=\"#ddd\" stroke-width=\"1\">");
    for (double t : yTicks) {
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
          LEFT, frame.y(t), WIDTH - RIGHT, frame.y(t)));
    }
    svg.append("</g>");
    svg.append(String.format(Locale.ROOT,
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>",
        LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
    for (double t : yTicks) {
      text(svg, LEFT - 6, frame.y(t) + 4, "end", Axes.label(t));
    }
    for (double t : xTicks) {
      text(svg, frame.x(t), HEIGHT - BOTTOM + 16, "middle", Axes.label(t));
    }
    text(svg, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 10, "middle", xLabel);
    svg.append(String.format(Locale.ROOT,
        "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>",
        (TOP + HEIGHT - BOTTOM) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0, Xml.escape(yLabel)));
    return svg;
  }

  /** Legend entries run in rows of three under the title. */
  private static void legend(StringBuilder svg, int index, String color, String label) {
    double x = LEFT + (index % 3) * 220;
    double y = 32 + (index / 3) * 14;
    svg.append(String.format(Locale.ROOT,
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, y - 9, color));
    text(svg, x + 14, y, "start", label);
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>",
        x, y, anchor, Xml.escape(text)));
  }
}
