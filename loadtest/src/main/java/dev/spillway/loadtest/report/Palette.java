package dev.spillway.loadtest.report;

/** The colours every chart of the reports draws with, so that one series looks alike in all of them. */
public final class Palette {

  /** For what is only a reference: an offered rate, requests turned away. */
  public static final String GREY = "#7f7f7f";

  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };

  private Palette() {}

  /** The colour of the {@code index}th series, the colours repeating after eight. */
  public static String color(int index) {
    return COLORS[Math.floorMod(index, COLORS.length)];
  }
}
