package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Usage;
import java.util.EnumMap;
import java.util.Map;

/**
 * What tenants are billed: per-model list prices per million input and output tokens, times a
 * multiplier for the service tier.
 */
public final class PriceList {

  /** List prices of one model, in USD per million tokens. */
  public record ModelPrice(double inputPerMillion, double outputPerMillion, String source) {
    public ModelPrice {
      Profiles.nonNegative("inputPerMillion", inputPerMillion);
      Profiles.nonNegative("outputPerMillion", outputPerMillion);
      source = source == null ? "" : source;
    }
  }

  private final Map<String, ModelPrice> models;
  private final Map<ServiceTier, Double> tierMultipliers;

  public PriceList(Map<String, ModelPrice> models, Map<ServiceTier, Double> tierMultipliers) {
    this.models = Map.copyOf(requireNonNull(models, "models"));
    EnumMap<ServiceTier, Double> tiers = new EnumMap<>(ServiceTier.class);
    for (ServiceTier tier : ServiceTier.values()) {
      Double multiplier = tierMultipliers.get(tier);
      if (multiplier == null || !(multiplier >= 0)) {
        throw new IllegalArgumentException(
            "prices.tiers." + tier.wireName() + ": " + multiplier + " (expected: a multiplier >= 0)");
      }
      tiers.put(tier, multiplier);
    }
    this.tierMultipliers = tiers;
  }

  /** The price of {@code usage} for {@code model} under {@code tier}; 0 for a model with no list price. */
  public double price(String model, ServiceTier tier, Usage usage) {
    ModelPrice price = models.get(model);
    if (price == null) {
      return 0;
    }
    double base =
        usage.promptTokens() * price.inputPerMillion() / 1e6
            + usage.completionTokens() * price.outputPerMillion() / 1e6;
    return base * tierMultipliers.get(tier);
  }

  public ModelPrice modelPrice(String model) {
    return models.get(model);
  }

  public double multiplier(ServiceTier tier) {
    return tierMultipliers.get(tier);
  }

  public Map<String, ModelPrice> models() {
    return models;
  }
}
