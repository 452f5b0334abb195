package dev.spillway.loadtest.report;

import java.util.Locale;

/** Axis ticks and tick labels for the reports' SVG charts. */
public final class Axes {

  private Axes() {}

  /**
   * Ticks from a multiple of a 1-2-5 step at or below {@code min} to one at or above {@code max}, the
   * step the smallest that makes at most about {@code intervals} intervals.
   */
  public static double[] ticks(double min, double max, int intervals) {
    double raw = (max - min) / intervals;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = magnitude;
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * magnitude >= raw) {
        step = m * magnitude;
        break;
      }
    }
    double first = Math.floor(min / step) * step;
    int n = (int) Math.ceil((max - first) / step - 1e-9) + 1;
    double[] ticks = new double[Math.max(2, n)];
    for (int i = 0; i < ticks.length; i++) {
      ticks[i] = first + i * step;
    }
    return ticks;
  }

  /** A tick label: whole numbers as integers, others to three significant digits. */
  public static String label(double value) {
    if (Math.abs(value - Math.rint(value)) < 1e-9 && Math.abs(value) < 1e12) {
      return Long.toString(Math.round(value));
    }
    String text = String.format(Locale.ROOT, "%.3g", value);
    if (text.contains("e")) {
      return text;
    }
    return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
  }
}
