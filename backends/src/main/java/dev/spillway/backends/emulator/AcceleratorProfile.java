package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

/**
 * A rentable unit of accelerators: an instance (inf2.48xlarge, p5.48xlarge) or a system (CS-3).
 *
 * @param family the chip generation whose fitted efficiencies apply: inf2, trn1, trn2, trn3, a100, h100,
 *     h200, b200, wse3
 * @param chips chips per instance
 * @param coresPerChip tensor-parallel ranks per chip: NeuronCores for Trainium and Inferentia (2 on
 *     inf2 and trn1, 4 logical at LNC=2 on trn2 and trn3), 1 for GPUs and wafers
 * @param pricePerHour on-demand USD per instance-hour, configurable
 * @param priceSource where the price comes from, with its source tag
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
    note = note == null ? "" : note;
  }

  /** Tensor-parallel ranks in one instance. */
  public int cores() {
    return chips * coresPerChip;
  }

  public AcceleratorProfile withPricePerHour(double price, String source) {
    return new AcceleratorProfile(
        name, family, chip, chips, coresPerChip, price, source, stack, derived, note);
  }
}
