package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.BudgetConfig;
import dev.spillway.gateway.config.TenantConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * One tenant's limits as a store enforces them.
 *
 * @param rpm requests per {@link #WINDOW}; 0 for none
 * @param tpm tokens per {@link #WINDOW}; 0 for none
 */
public record Limits(long rpm, long tpm, Optional<BudgetConfig> budget) {

  /** The sliding window of {@code rpm} and {@code tpm}. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  public static final Limits NONE = new Limits(0, 0, Optional.empty());

  public Limits {
    requireNonNull(budget, "budget");
    if (rpm < 0 || tpm < 0) {
      throw new IllegalArgumentException("rpm/tpm: " + rpm + "/" + tpm + " (expected: >= 0)");
    }
  }

  public static Limits of(TenantConfig tenant) {
    return new Limits(tenant.rpm().orElse(0), tenant.tpm().orElse(0), tenant.budget());
  }

  public boolean any() {
    return rpm > 0 || tpm > 0 || budget.isPresent();
  }
}
