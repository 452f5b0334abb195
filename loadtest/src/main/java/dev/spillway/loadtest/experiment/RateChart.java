package dev.spillway.loadtest.experiment;

import dev.spillway.loadtest.report.Axes;
import dev.spillway.loadtest.report.Palette;
import dev.spillway.loadtest.report.Xml;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A metric against the offered rate, one line per policy, drawn as SVG text in the style of the run
 * report's charts (same palette, font and 1-2-5 ticks), with what a sweep needs besides: a marker at
 * each measured rate, dashed lines, a linear or logarithmic y axis, an optional horizontal reference
 * (an SLO goal) and a legend that wraps. No external references of any kind; a standalone file carries
 * only the SVG namespace, which a viewer needs and never fetches.
 */
final class RateChart {


  private static final String NAMESPACE = "http://www.w3.org/2000/svg";
  private static final int WIDTH = 760;
  private static final int PLOT_HEIGHT = 280;
  private static final int LEFT = 74;
  private static final int RIGHT = 24;
  private static final int BOTTOM = 46;
  private static final int LEGEND_ROW = 16;

  enum Scale {
    LINEAR,
    LOG
  }

  /** One line; points with a NaN (or, on a log axis, a non-positive) value are gaps. */
  record Series(String name, String color, boolean dashed, double[] xs, double[] ys) {}

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final Scale scale;
  private final List<Series> series = new ArrayList<>();
  private double reference = Double.NaN;
  private String referenceLabel = "";

  RateChart(String title, String xLabel, String yLabel, Scale scale) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.scale = scale;
  }

  RateChart add(Series line) {
    series.add(line);
    return this;
  }

  /** A horizontal dashed line at {@code value}, labelled. */
  RateChart reference(double value, String label) {
    this.reference = value;
    this.referenceLabel = label;
    return this;
  }

  /** The chart; {@code standalone} adds the SVG namespace a {@code .svg} file needs. */
  String svg(boolean standalone) {
    List<int[]> legend = legendLayout();
    int legendRows = legend.isEmpty() ? 1 : legend.get(legend.size() - 1)[1] + 1;
    int top = 28 + legendRows * LEGEND_ROW + 6;
    int height = top + PLOT_HEIGHT + BOTTOM;
    StringBuilder svg = new StringBuilder(16 * 1024);
    svg.append(String.format(Locale.ROOT,
        "<svg%s width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">",
        standalone ? " xmlns=\"" + NAMESPACE + "\"" : "", WIDTH, height, WIDTH, height));
    svg.append("<title>").append(escape(title)).append("</title>");
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", WIDTH, height));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>", LEFT, escape(title)));

    double xMax = 0;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        if (usable(s.xs()[i], s.ys()[i])) {
          xMax = Math.max(xMax, s.xs()[i]);
          yMin = Math.min(yMin, s.ys()[i]);
          yMax = Math.max(yMax, s.ys()[i]);
        }
      }
    }
    if (usable(1, reference)) {
      yMin = Math.min(yMin, reference);
      yMax = Math.max(yMax, reference);
    }
    double plotW = WIDTH - LEFT - RIGHT;
    if (yMax == Double.NEGATIVE_INFINITY) {
      text(svg, WIDTH / 2.0, top + PLOT_HEIGHT / 2.0, "middle", "no data");
      return svg.append("</svg>\n").toString();
    }
    double[] xTicks = ticks(0, xMax > 0 ? xMax : 1, 8);
    double x1 = xTicks[xTicks.length - 1];
    Axis y = scale == Scale.LOG ? logAxis(yMin, yMax) : linearAxis(Math.max(yMax, 0));

    svg.append("<g stroke=\"#ddd\" stroke-width=\"1\">");
    for (double t : y.ticks) {
      double py = top + PLOT_HEIGHT - y.position(t) * PLOT_HEIGHT;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LEFT, py, WIDTH - RIGHT, py));
    }
    svg.append("</g>");
    svg.append(String.format(Locale.ROOT,
        "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>", LEFT, top, plotW, PLOT_HEIGHT));
    for (double t : y.ticks) {
      double py = top + PLOT_HEIGHT - y.position(t) * PLOT_HEIGHT;
      text(svg, LEFT - 6, py + 4, "end", label(t));
    }
    for (double t : xTicks) {
      double px = LEFT + t / x1 * plotW;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>", px, top + PLOT_HEIGHT, px, top + PLOT_HEIGHT + 4));
      text(svg, px, top + PLOT_HEIGHT + 17, "middle", label(t));
    }
    text(svg, LEFT + plotW / 2, top + PLOT_HEIGHT + 38, "middle", xLabel);
    double mid = top + PLOT_HEIGHT / 2.0;
    svg.append(String.format(Locale.ROOT,
        "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>",
        mid, mid, escape(yLabel)));

    if (usable(1, reference)) {
      double py = top + PLOT_HEIGHT - y.position(reference) * PLOT_HEIGHT;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"2 3\"/>",
          LEFT, py, WIDTH - RIGHT, py, Palette.GREY));
      text(svg, WIDTH - RIGHT - 4, py - 4, "end", referenceLabel);
    }

    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      String dash = s.dashed() ? " stroke-dasharray=\"6 4\"" : "";
      StringBuilder points = new StringBuilder();
      StringBuilder markers = new StringBuilder();
      for (int i = 0; i <= s.xs().length; i++) {
        boolean ok = i < s.xs().length && usable(s.xs()[i], s.ys()[i]);
        if (ok) {
          double px = LEFT + s.xs()[i] / x1 * plotW;
          double py = top + PLOT_HEIGHT - y.position(s.ys()[i]) * PLOT_HEIGHT;
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
          markers.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.8\"/>", px, py));
        } else if (points.length() > 0) {
          svg.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"").append(s.color()).append('"')
              .append(dash).append(" points=\"").append(points.toString().trim()).append("\"/>");
          points.setLength(0);
        }
      }
      svg.append("<g fill=\"").append(s.color()).append("\">").append(markers).append("</g>");
      int[] at = legend.get(k);
      int lx = at[0];
      int ly = 28 + at[1] * LEGEND_ROW;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>",
          lx, ly - 4, lx + 18, ly - 4, s.color(), dash));
      text(svg, lx + 22, ly, "start", s.name());
    }
    return svg.append("</svg>\n").toString();
  }

  /** Each series' legend position: x and row, wrapping within the plot's width. */
  private List<int[]> legendLayout() {
    List<int[]> positions = new ArrayList<>();
    int x = LEFT;
    int row = 0;
    for (Series s : series) {
      int w = 34 + (int) Math.ceil(6.2 * s.name().length());
      if (x > LEFT && x + w > WIDTH - RIGHT) {
        x = LEFT;
        row++;
      }
      positions.add(new int[] {x, row});
      x += w;
    }
    return positions;
  }

  private boolean usable(double x, double y) {
    return Double.isFinite(x) && Double.isFinite(y) && (scale == Scale.LINEAR || y > 0);
  }

  /** Where values sit on the y axis, as a fraction of its height, and its labelled ticks. */
  private static final class Axis {
    final double[] ticks;
    final boolean log;
    final double low;
    final double high;

    Axis(double[] ticks, boolean log, double low, double high) {
      this.ticks = ticks;
      this.log = log;
      this.low = low;
      this.high = high;
    }

    double position(double value) {
      return log
          ? (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))
          : (value - low) / (high - low);
    }
  }

  private static Axis linearAxis(double max) {
    double[] t = ticks(0, max == 0 ? 1 : max, 5);
    return new Axis(t, false, t[0], t[t.length - 1]);
  }

  /** Decades around the data, ticks at 1, 2 and 5 of each (1 only when the span is wide). */
  private static Axis logAxis(double min, double max) {
    int from = (int) Math.floor(Math.log10(min));
    int to = (int) Math.ceil(Math.log10(max));
    if (to == from) {
      to++;
    }
    double[] steps = to - from > 3 ? new double[] {1} : new double[] {1, 2, 5};
    List<Double> ticks = new ArrayList<>();
    for (int e = from; e <= to; e++) {
      for (double m : steps) {
        double t = m * Math.pow(10, e);
        if (t <= Math.pow(10, to) * 1.0000001) {
          ticks.add(t);
        }
      }
    }
    double[] array = ticks.stream().mapToDouble(Double::doubleValue).toArray();
    return new Axis(array, true, Math.pow(10, from), Math.pow(10, to));
  }

  static double[] ticks(double min, double max, int intervals) {
    return Axes.ticks(min, max, intervals);
  }

  static String label(double value) {
    return Axes.label(value);
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, escape(text)));
  }

  static String escape(String text) {
    return Xml.escape(text);
  }
}
