package dev.spillway.loadtest.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts drawn as text: line charts with linear axes and "nice" 1-2-5 ticks, and horizontal
 * bar charts. No external references of any kind: inline SVG in HTML needs no namespace URL.
 */
final class Svg {

  private static final int WIDTH = 720;
  private static final int HEIGHT = 300;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 34;
  private static final int BOTTOM = 46;

  /** One line: points in data units, drawn in the given order. */
  record Series(String name, String color, double[] xs, double[] ys) {}

  /** One bar. */
  record Bar(String label, double value, String text, String color) {}

  private Svg() {}

  static String lineChart(String title, String xLabel, String yLabel, List<Series> series) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    for (Series s : series) {
      for (int i = 0; i < s.xs().length; i++) {
        if (Double.isFinite(s.xs()[i]) && Double.isFinite(s.ys()[i])) {
          xMin = Math.min(xMin, s.xs()[i]);
          xMax = Math.max(xMax, s.xs()[i]);
          yMax = Math.max(yMax, s.ys()[i]);
        }
      }
    }
    StringBuilder svg = open(title, WIDTH, HEIGHT);
    if (xMin == Double.POSITIVE_INFINITY) {
      text(svg, WIDTH / 2.0, HEIGHT / 2.0, "middle", "no data");
      return svg.append("</svg>\n").toString();
    }
    xMin = Math.min(0, xMin);
    double[] xTicks = ticks(xMin, xMax == xMin ? xMin + 1 : xMax);
    double[] yTicks = ticks(0, yMax == 0 ? 1 : yMax);
    double x0 = xTicks[0];
    double x1 = xTicks[xTicks.length - 1];
    double y1 = yTicks[yTicks.length - 1];
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    svg.append("<g stroke=\"#ddd\" stroke-width=\"1\">");
    for (double t : yTicks) {
      double y = TOP + plotH - (t / y1) * plotH;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", LEFT, y, WIDTH - RIGHT, y));
    }
    svg.append("</g>");
    svg.append(String.format(Locale.ROOT,
        "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#888\"/>", LEFT, TOP, plotW, plotH));
    for (double t : yTicks) {
      double y = TOP + plotH - (t / y1) * plotH;
      text(svg, LEFT - 6, y + 4, "end", label(t));
    }
    for (double t : xTicks) {
      double x = LEFT + (t - x0) / (x1 - x0) * plotW;
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>", x, TOP + plotH, x, TOP + plotH + 4));
      text(svg, x, TOP + plotH + 17, "middle", label(t));
    }
    text(svg, LEFT + plotW / 2, HEIGHT - 8, "middle", xLabel);
    svg.append(String.format(Locale.ROOT,
        "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>",
        TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
    int legendX = LEFT + 8;
    for (Series s : series) {
      svg.append("<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"").append(s.color()).append("\" points=\"");
      for (int i = 0; i < s.xs().length; i++) {
        if (!Double.isFinite(s.xs()[i]) || !Double.isFinite(s.ys()[i])) {
          continue;
        }
        double x = LEFT + (s.xs()[i] - x0) / (x1 - x0) * plotW;
        double y = TOP + plotH - (s.ys()[i] / y1) * plotH;
        svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append("\"/>");
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>", legendX, TOP - 12, s.color()));
      text(svg, legendX + 16, TOP - 7, "start", s.name());
      legendX += 24 + 7 * s.name().length();
    }
    return svg.append("</svg>\n").toString();
  }

  static String barChart(String title, List<Bar> bars) {
    int rowH = 26;
    int height = TOP + 10 + rowH * Math.max(1, bars.size());
    StringBuilder svg = open(title, WIDTH, height);
    if (bars.isEmpty()) {
      text(svg, WIDTH / 2.0, TOP + 16, "middle", "no data");
      return svg.append("</svg>\n").toString();
    }
    double max = 0;
    for (Bar bar : bars) {
      max = Math.max(max, bar.value());
    }
    int labelW = 170;
    double plotW = WIDTH - labelW - 130;
    int y = TOP;
    for (Bar bar : bars) {
      double w = max > 0 ? bar.value() / max * plotW : 0;
      text(svg, labelW - 8, y + 16, "end", bar.label());
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>", labelW, y + 3, w, rowH - 8, bar.color()));
      text(svg, labelW + w + 6, y + 16, "start", bar.text());
      y += rowH;
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder open(String title, int width, int height) {
    StringBuilder svg = new StringBuilder(8192);
    svg.append(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" font-family=\"sans-serif\" font-size=\"11\">",
        width, height, width, height));
    svg.append("<title>").append(escape(title)).append("</title>");
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%d\" y=\"14\" font-size=\"13\" font-weight=\"bold\">%s</text>", LEFT, escape(title)));
    return svg;
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
    svg.append(String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, escape(text)));
  }

  /** Ticks from a multiple of a 1-2-5 step at or below {@code min} to one at or above {@code max}. */
  static double[] ticks(double min, double max) {
    return Axes.ticks(min, max, 5);
  }

  static String label(double value) {
    return Axes.label(value);
  }

  /** Text made safe for SVG and HTML: {@code & < > " '} escaped. */
  public static String escape(String text) {
    return Xml.escape(text);
  }
}
