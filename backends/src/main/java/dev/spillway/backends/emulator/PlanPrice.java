package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

/**
 * The price of an instance under one {@link PricingPlan}: either a published figure in USD per
 * instance-hour, or a stated rule, a fraction of the on-demand price (so that overriding the on-demand
 * price moves the plans priced by rule with it).
 *
 * @param pricePerHour USD per instance-hour; NaN when the price is a fraction of on-demand
 * @param ofOnDemand the fraction of the on-demand price; NaN when the price is a figure
 * @param source where the figure or the rule comes from, with its source tag
 * @param date when the figure was published or observed ({@code 2025-06}, {@code 2026-08-06}), or
 *     {@code undated}
 */
public record PlanPrice(double pricePerHour, double ofOnDemand, String source, String date) {

  public PlanPrice {
    requireNonNull(source, "source");
    requireNonNull(date, "date");
    if (Double.isNaN(pricePerHour) == Double.isNaN(ofOnDemand)) {
      throw new IllegalArgumentException(
          "pricePerHour: " + pricePerHour + ", ofOnDemand: " + ofOnDemand
              + " (expected: exactly one of them)");
    }
    if (!Double.isNaN(pricePerHour) && !(pricePerHour >= 0)) {
      throw new IllegalArgumentException("pricePerHour: " + pricePerHour + " (expected: >= 0)");
    }
    if (!Double.isNaN(ofOnDemand) && !(ofOnDemand >= 0 && ofOnDemand <= 1)) {
      throw new IllegalArgumentException("ofOnDemand: " + ofOnDemand + " (expected: >= 0 and <= 1)");
    }
    if (source.isBlank()) {
      throw new IllegalArgumentException("source: \"\" (expected: where the price comes from)");
    }
    if (date.isBlank()) {
      throw new IllegalArgumentException("date: \"\" (expected: YYYY-MM, YYYY-MM-DD or undated)");
    }
  }

  /** A published figure in USD per instance-hour. */
  public static PlanPrice figure(double pricePerHour, String source, String date) {
    return new PlanPrice(pricePerHour, Double.NaN, source, date);
  }

  /** A rule: {@code ofOnDemand} times the on-demand price. */
  public static PlanPrice fractionOfOnDemand(double ofOnDemand, String source, String date) {
    return new PlanPrice(Double.NaN, ofOnDemand, source, date);
  }

  /** USD per instance-hour, given the instance's on-demand price. */
  public double perHour(double onDemandPerHour) {
    return Double.isNaN(pricePerHour) ? ofOnDemand * onDemandPerHour : pricePerHour;
  }

  public boolean isRule() {
    return Double.isNaN(pricePerHour);
  }
}
