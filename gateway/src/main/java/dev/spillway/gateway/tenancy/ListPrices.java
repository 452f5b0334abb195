package dev.spillway.gateway.tenancy;

import dev.spillway.backends.emulator.PriceList;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Usage;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Estimates from the profiles' list prices, as the emulated engines bill: per million input and
 * output tokens, times the tier's multiplier. A model is found by its first pool's {@code profile},
 * its name, or an alias; a model with no list price estimates 0.
 */
public final class ListPrices implements PriceEstimate {

  private final PriceList prices;
  /** Configured model name → the profile name its prices are listed under. */
  private final Map<String, String> profileNames;

  private ListPrices(PriceList prices, Map<String, String> profileNames) {
    this.prices = prices;
    this.profileNames = Map.copyOf(profileNames);
  }

  public static ListPrices of(List<ModelConfig> models, Profiles profiles) {
    Map<String, String> names = new HashMap<>();
    for (ModelConfig model : models) {
      List<String> candidates = new ArrayList<>();
      for (PoolConfig pool : model.pools()) {
        Object profile = pool.settings().get("profile");
        if (profile != null) {
          candidates.add(profile.toString());
        }
      }
      candidates.add(model.name());
      candidates.addAll(model.aliases());
      for (String candidate : candidates) {
        try {
          names.put(model.name(), profiles.model(candidate).name());
          break;
        } catch (IllegalArgumentException unknown) {
          // try the next name
        }
      }
    }
    return new ListPrices(profiles.prices(), names);
  }

  @Override
  public double usd(String model, ServiceTier tier, long promptTokens, long outputTokens) {
    String profile = profileNames.get(model);
    if (profile == null) {
      return 0;
    }
    return prices.price(
        profile, tier,
        new Usage((int) Math.min(Integer.MAX_VALUE, promptTokens), (int) Math.min(Integer.MAX_VALUE, outputTokens)));
  }
}
