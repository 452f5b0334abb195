package dev.spillway.backends.emulator;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How an instance is paid for: by the second with no commitment, reserved for one or three years
 * (a Reserved Instance or an EC2 Instance Savings Plan, no upfront), or on the spot market.
 */
public enum PricingPlan {
  ON_DEMAND("on-demand"),
  RESERVED_1Y("reserved-1y"),
  RESERVED_3Y("reserved-3y"),
  SPOT("spot");

  private final String wireName;

  PricingPlan(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in profiles and configuration: {@code on-demand}, {@code reserved-1y}, ... */
  public String wireName() {
    return wireName;
  }

  /** The plan named {@code name} (its wire name, case-insensitive). */
  public static PricingPlan parse(String name) {
    if (name != null) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      for (PricingPlan plan : values()) {
        if (plan.wireName.equals(n)) {
          return plan;
        }
      }
    }
    throw new IllegalArgumentException(
        "pricing plan: " + name + " (expected one of: " + wireNames() + ")");
  }

  static String wireNames() {
    return Arrays.stream(values()).map(PricingPlan::wireName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
