package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * A rentable unit of accelerators: an instance (inf2.48xlarge, p5.48xlarge) or a system (CS-3).
 *
 * @param family the chip generation whose fitted efficiencies apply: inf2, trn1, trn2, trn3, a100, h100,
 *     h200, b200, wse3
 * @param chips chips per instance
 * @param coresPerChip tensor-parallel ranks per chip: NeuronCores for Trainium and Inferentia (2 on
 *     inf2 and trn1, 4 logical at LNC=2 on trn2 and trn3), 1 for GPUs and wafers
 * @param pricePerHour on-demand USD per instance-hour, configurable
 * @param priceSource where the on-demand price comes from, with its source tag
 * @param priceDate when the on-demand price was published or observed, or {@code undated}
 * @param plans prices under the other plans (reserved-1y, reserved-3y, spot); a plan missing here
 *     costs the on-demand price, and its source says so
 * @param provisioningDelay from asking for an instance to it serving: instance boot plus model load
 * @param provisioningSource where the provisioning delay comes from, with its source tag
 * @param stack the serving stack assumed when a pool names none
 * @param derived true when the profile is derived from another by spec ratios, not published
 */
public record AcceleratorProfile(
    String name,
    String family,
    ChipSpec chip,
    int chips,
    int coresPerChip,
    double pricePerHour,
    String priceSource,
    String priceDate,
    Map<PricingPlan, PlanPrice> plans,
    Duration provisioningDelay,
    String provisioningSource,
    String stack,
    boolean derived,
    String note) {

  public AcceleratorProfile {
    requireNonNull(name, "name");
    requireNonNull(family, name + ".family");
    requireNonNull(chip, name + ".chip");
    requireNonNull(stack, name + ".stack");
    if (chips < 1) {
      throw new IllegalArgumentException(name + ".chips: " + chips + " (expected: >= 1)");
    }
    if (coresPerChip < 1) {
      throw new IllegalArgumentException(name + ".coresPerChip: " + coresPerChip + " (expected: >= 1)");
    }
    if (!(pricePerHour >= 0)) {
      throw new IllegalArgumentException(name + ".pricePerHour: " + pricePerHour + " (expected: >= 0)");
    }
    priceSource = priceSource == null ? "" : priceSource;
    priceDate = priceDate == null ? "undated" : priceDate;
    plans = plans == null ? Map.of() : Map.copyOf(plans);
    if (plans.containsKey(PricingPlan.ON_DEMAND)) {
      throw new IllegalArgumentException(
          name + ".plans.on-demand: (expected: the on-demand price in pricePerHour, priceSource and"
              + " priceDate)");
    }
    requireNonNull(provisioningDelay, name + ".provisioningDelay");
    if (provisioningDelay.isNegative()) {
      throw new IllegalArgumentException(
          name + ".provisioningDelay: " + provisioningDelay + " (expected: >= 0)");
    }
    provisioningSource = provisioningSource == null ? "" : provisioningSource;
    note = note == null ? "" : note;
  }

  /** Tensor-parallel ranks in one instance. */
  public int cores() {
    return chips * coresPerChip;
  }

  /** The price under {@code plan}: on-demand from this profile's own fields, the others from {@link #plans}. */
  public PlanPrice price(PricingPlan plan) {
    requireNonNull(plan, "plan");
    if (plan == PricingPlan.ON_DEMAND) {
      return PlanPrice.figure(pricePerHour, priceSource.isBlank() ? "unknown" : priceSource, priceDate);
    }
    PlanPrice price = plans.get(plan);
    if (price == null) {
      return PlanPrice.fractionOfOnDemand(
          1.0, "ASSUMPTION: no " + plan.wireName() + " price in the profile; the on-demand price",
          priceDate);
    }
    return price;
  }

  /** USD per instance-hour under {@code plan}. {@link #pricePerHour()} is the on-demand price. */
  public double pricePerHour(PricingPlan plan) {
    return plan == PricingPlan.ON_DEMAND ? pricePerHour : price(plan).perHour(pricePerHour);
  }

  /** Where the price under {@code plan} comes from, with its source tag. */
  public String priceSource(PricingPlan plan) {
    return price(plan).source();
  }

  /** When the price under {@code plan} was published or observed, or {@code undated}. */
  public String priceDate(PricingPlan plan) {
    return price(plan).date();
  }

  /** Every plan's price, in plan order. */
  public Map<PricingPlan, PlanPrice> prices() {
    Map<PricingPlan, PlanPrice> all = new EnumMap<>(PricingPlan.class);
    for (PricingPlan plan : PricingPlan.values()) {
      all.put(plan, price(plan));
    }
    return all;
  }

  /** This profile with another on-demand price; plans priced as a fraction of on-demand follow it. */
  public AcceleratorProfile withPricePerHour(double price, String source) {
    return new AcceleratorProfile(
        name, family, chip, chips, coresPerChip, price, source, priceDate, plans, provisioningDelay,
        provisioningSource, stack, derived, note);
  }
}
