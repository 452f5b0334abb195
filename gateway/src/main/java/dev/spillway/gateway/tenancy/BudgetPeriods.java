package dev.spillway.gateway.tenancy;

import dev.spillway.gateway.config.BudgetConfig.Period;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/** Calendar budget periods in UTC: a day, an ISO week (from Monday) or a month. */
final class BudgetPeriods {

  private BudgetPeriods() {}

  /** The start of the period that holds {@code now}. */
  static Instant start(Period period, Instant now) {
    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate first;
    switch (period) {
      case DAY:
        first = day;
        break;
      case WEEK:
        first = day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        break;
      case MONTH:
      default:
        first = day.withDayOfMonth(1);
        break;
    }
    return first.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The start of the next period after the one starting at {@code start}. */
  static Instant end(Period period, Instant start) {
    LocalDate first = LocalDate.ofInstant(start, ZoneOffset.UTC);
    LocalDate next;
    switch (period) {
      case DAY:
        next = first.plusDays(1);
        break;
      case WEEK:
        next = first.plusWeeks(1);
        break;
      case MONTH:
      default:
        next = first.plusMonths(1);
        break;
    }
    return next.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
