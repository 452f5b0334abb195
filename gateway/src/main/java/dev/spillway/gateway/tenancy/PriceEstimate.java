package dev.spillway.gateway.tenancy;

import dev.spillway.backends.spi.ServiceTier;

/** What a request will be priced at, before it runs: for budget reservations. */
@FunctionalInterface
public interface PriceEstimate {

  /** Prices nothing: budgets then hold only what requests really cost when they settle. */
  PriceEstimate FREE = (model, tier, prompt, output) -> 0;

  /** USD for {@code promptTokens} in and {@code outputTokens} out of {@code model} (a configured name). */
  double usd(String model, ServiceTier tier, long promptTokens, long outputTokens);
}
