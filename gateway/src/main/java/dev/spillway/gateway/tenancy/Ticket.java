package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Usage;

/**
 * What an admitted request holds until it ends, and how its end is charged: a finish settles to the
 * real usage and price; a request that ends early — refused by the core, failed, or left by its
 * client — releases everything it reserved if no token was generated for it, else settles to the
 * prompt and the tokens generated. Only the first end counts. {@link #NONE} for requests no limit applies to.
 */
public final class Ticket {

  /** Holds nothing. */
  public static final Ticket NONE = new Ticket(null, PriceEstimate.FREE, "", ServiceTier.DEFAULT, 0);

  private final Reservation reservation;
  private final PriceEstimate prices;
  private final String model;
  private final ServiceTier tier;
  private final long promptTokens;

  Ticket(Reservation reservation, PriceEstimate prices, String model, ServiceTier tier, long promptTokens) {
    this.reservation = reservation;
    this.prices = requireNonNull(prices, "prices");
    this.model = requireNonNull(model, "model");
    this.tier = requireNonNull(tier, "tier");
    this.promptTokens = promptTokens;
  }

  /**
   * The request finished: settles to {@code usage} at {@code priceUsd}, or at the list price of
   * {@code usage} when the backend reports no price (upstreams do not).
   */
  public void finished(Usage usage, double priceUsd) {
    if (reservation != null) {
      double usd = priceUsd > 0 ? priceUsd : prices.usd(model, tier, usage.promptTokens(), usage.completionTokens());
      reservation.settle((long) usage.promptTokens() + usage.completionTokens(), usd);
    }
  }

  /** The request ended without finishing, after {@code outputTokensSent} tokens were generated. */
  public void endedEarly(long outputTokensSent) {
    if (reservation == null) {
      return;
    }
    if (outputTokensSent <= 0) {
      reservation.release();
    } else {
      reservation.settle(
          promptTokens + outputTokensSent, prices.usd(model, tier, promptTokens, outputTokensSent));
    }
  }
}
