package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A tenant's spending cap over a calendar period (UTC): what its requests are priced at, at the
 * models' list prices and tier multipliers.
 *
 * @param usd the most the tenant may spend in one period
 */
public record BudgetConfig(double usd, Period period) {

  /** A calendar period in UTC; weeks start on Monday (ISO 8601). */
  public enum Period {
    DAY,
    WEEK,
    MONTH;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Period parse(String text) {
      for (Period p : values()) {
        if (p.wireName().equals(text)) {
          return p;
        }
      }
      throw new IllegalArgumentException("period: " + text + " (expected: day, week or month)");
    }
  }

  public BudgetConfig {
    requireNonNull(period, "period");
    if (!(usd > 0) || Double.isInfinite(usd)) {
      throw new IllegalArgumentException("usd: " + usd + " (expected: a finite amount > 0)");
    }
  }
}
