package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A tenant: who may call the gateway with which keys, on which models and tiers, and how much.
 *
 * @param models configured model names the tenant may use; empty means all
 * @param tiers service tiers the tenant may use; empty means all
 * @param rpm requests per minute (a sliding minute)
 * @param tpm prompt plus output tokens per minute (a sliding minute)
 * @param budget the spending cap per calendar period
 * @param keys the tenant's keys, at least one
 */
public record TenantConfig(
    String name,
    Set<String> models,
    Set<ServiceTier> tiers,
    OptionalLong rpm,
    OptionalLong tpm,
    Optional<BudgetConfig> budget,
    List<KeyConfig> keys) {

  public TenantConfig {
    requireNonNull(name, "name");
    models = Set.copyOf(models);
    tiers = tiers.isEmpty() ? Set.of() : Set.copyOf(tiers);
    requireNonNull(rpm, "rpm");
    requireNonNull(tpm, "tpm");
    requireNonNull(budget, "budget");
    keys = List.copyOf(keys);
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: \"" + name + "\" (expected: a non-empty name)");
    }
    if (rpm.isPresent() && rpm.getAsLong() < 1) {
      throw new IllegalArgumentException("rpm: " + rpm.getAsLong() + " (expected: >= 1)");
    }
    if (tpm.isPresent() && tpm.getAsLong() < 1) {
      throw new IllegalArgumentException("tpm: " + tpm.getAsLong() + " (expected: >= 1)");
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("tenant " + name + ".keys: [] (expected: at least one key)");
    }
  }

  /** Whether the tenant may call {@code model} (a configured name). */
  public boolean allowsModel(String model) {
    return models.isEmpty() || models.contains(model);
  }

  public boolean allowsTier(ServiceTier tier) {
    return tiers.isEmpty() || tiers.contains(tier);
  }

  /** Whether any limit or budget applies. */
  public boolean limited() {
    return rpm.isPresent() || tpm.isPresent() || budget.isPresent();
  }
}
