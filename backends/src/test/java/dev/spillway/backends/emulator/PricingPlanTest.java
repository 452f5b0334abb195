package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PricingPlanTest {

  @Test
  void plansParseFromTheirWireNames() {
    assertThat(PricingPlan.parse("on-demand")).isEqualTo(PricingPlan.ON_DEMAND);
    assertThat(PricingPlan.parse("reserved-1y")).isEqualTo(PricingPlan.RESERVED_1Y);
    assertThat(PricingPlan.parse(" Reserved-3Y ")).isEqualTo(PricingPlan.RESERVED_3Y);
    assertThat(PricingPlan.parse("spot")).isEqualTo(PricingPlan.SPOT);
    for (PricingPlan plan : PricingPlan.values()) {
      assertThat(PricingPlan.parse(plan.wireName())).isEqualTo(plan);
    }
  }

  @Test
  void anUnknownPlanIsRejectedNamingTheValidOnes() {
    assertThatThrownBy(() -> PricingPlan.parse("savings-plan"))
        .hasMessage(
            "pricing plan: savings-plan (expected one of: on-demand, reserved-1y, reserved-3y, spot)");
    assertThatThrownBy(() -> PricingPlan.parse(null)).hasMessageContaining("pricing plan: null");
  }

  @Test
  void everyBuiltInAcceleratorHasASourcedDatedPriceUnderEveryPlan() {
    for (AcceleratorProfile a : Profiles.builtIn().accelerators()) {
      double onDemand = a.pricePerHour(PricingPlan.ON_DEMAND);
      assertThat(onDemand).as(a.name()).isEqualTo(a.pricePerHour());
      for (PricingPlan plan : PricingPlan.values()) {
        String what = a.name() + " " + plan;
        assertThat(a.priceSource(plan)).as(what).isNotBlank().doesNotContain("no " + plan + " price in the profile");
        assertThat(a.priceDate(plan)).as(what).isNotBlank();
        assertThat(a.pricePerHour(plan)).as(what).isGreaterThan(0).isLessThanOrEqualTo(onDemand);
      }
      assertThat(a.pricePerHour(PricingPlan.RESERVED_3Y))
          .as(a.name()).isLessThanOrEqualTo(a.pricePerHour(PricingPlan.RESERVED_1Y));
      assertThat(a.provisioningDelay()).as(a.name()).isPositive();
      assertThat(a.provisioningSource()).as(a.name()).isNotBlank();
    }
  }

  @Test
  void aPublishedSpotFigureIsUsedAsIsAndARuleFollowsTheOnDemandPrice() {
    AcceleratorProfile p5en = Profiles.builtIn().accelerator("p5en.48xlarge");
    assertThat(p5en.pricePerHour(PricingPlan.SPOT)).isEqualTo(27.1988);
    assertThat(p5en.priceDate(PricingPlan.SPOT)).isEqualTo("2026-08-06");
    assertThat(p5en.pricePerHour(PricingPlan.RESERVED_1Y)).isCloseTo(0.70 * 63.296, within(1e-9));
    AcceleratorProfile cheaper = p5en.withPricePerHour(50.0, "our quote");
    assertThat(cheaper.pricePerHour(PricingPlan.RESERVED_1Y)).isCloseTo(35.0, within(1e-9));
    assertThat(cheaper.pricePerHour(PricingPlan.SPOT)).isEqualTo(27.1988);
  }

  @Test
  void aReplicaCostsItsShareOfTheInstanceUnderEachPlan() {
    Profiles p = Profiles.builtIn();
    AcceleratorProfile p5 = p.accelerator("p5.48xlarge");
    Deployment d = Deployment.of(p, p5, p.model("llama-3.1-8b"), null, 2, null);
    for (PricingPlan plan : PricingPlan.values()) {
      assertThat(d.costPerSecond(plan))
          .as(plan.wireName()).isCloseTo(p5.pricePerHour(plan) / 3600 * 2 / 8, within(1e-12));
    }
    assertThat(d.costPerSecond()).isEqualTo(d.costPerSecond(PricingPlan.ON_DEMAND));
  }

  @Test
  void aUserFileSetsPlansAndTheProvisioningDelay(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(
        file,
        "accelerators:\n"
            + "  - name: trn2.48xlarge\n"
            + "    pricePerHour: 30.0\n"
            + "    priceSource: our quote\n"
            + "    priceDate: 2026-09\n"
            + "    plans:\n"
            + "      reserved-1y: {pricePerHour: 18.5, source: our 1y commitment, date: 2026-09-01}\n"
            + "    provisioningDelay: 90s\n"
            + "    provisioningSource: measured on our fleet\n");
    AcceleratorProfile trn2 = Profiles.withOverrides(file).accelerator("trn2.48xlarge");
    assertThat(trn2.pricePerHour(PricingPlan.ON_DEMAND)).isEqualTo(30.0);
    assertThat(trn2.priceDate(PricingPlan.ON_DEMAND)).isEqualTo("2026-09");
    assertThat(trn2.pricePerHour(PricingPlan.RESERVED_1Y)).isEqualTo(18.5);
    assertThat(trn2.priceSource(PricingPlan.RESERVED_1Y)).isEqualTo("our 1y commitment");
    assertThat(trn2.pricePerHour(PricingPlan.RESERVED_3Y))
        .as("the built-in rule follows the new on-demand price")
        .isCloseTo(0.45 * 30.0, within(1e-9));
    assertThat(trn2.provisioningDelay()).isEqualTo(Duration.ofSeconds(90));
    assertThat(trn2.provisioningSource()).isEqualTo("measured on our fleet");
  }

  @Test
  void anAddedAcceleratorWithoutPlansPaysOnDemandAndSaysSo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mine.yaml");
    Files.writeString(
        file,
        "accelerators:\n  - name: x.large\n    family: h100\n    chip: h100-sxm\n    chips: 1\n"
            + "    pricePerHour: 4\n    stack: trtllm\n");
    AcceleratorProfile x = Profiles.withOverrides(file).accelerator("x.large");
    assertThat(x.pricePerHour(PricingPlan.SPOT)).isEqualTo(4.0);
    assertThat(x.priceSource(PricingPlan.SPOT)).startsWith("ASSUMPTION: no spot price in the profile");
    assertThat(x.provisioningDelay()).isEqualTo(Duration.ofMinutes(5));
    assertThat(x.provisioningSource()).startsWith("ASSUMPTION");
  }

  @Test
  void badPlanEntriesAreRejectedNamingTheField(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    String head = "accelerators:\n  - name: p5.48xlarge\n";
    Files.writeString(file, head + "    plans:\n      weekly: {pricePerHour: 1, source: s, date: undated}\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining(
            "p5.48xlarge.plans.weekly: (expected one of: on-demand, reserved-1y, reserved-3y, spot)");
    Files.writeString(file, head + "    plans:\n      on-demand: {pricePerHour: 1, source: s, date: undated}\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining("p5.48xlarge.plans.on-demand: (expected: the on-demand price in pricePerHour");
    Files.writeString(
        file, head + "    plans:\n      spot: {pricePerHour: 1, ofOnDemand: 0.5, source: s, date: undated}\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining("p5.48xlarge.plans.spot.")
        .hasMessageContaining("(expected: exactly one of them)");
    Files.writeString(file, head + "    plans:\n      spot: {ofOnDemand: 1.5, source: s, date: undated}\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining("p5.48xlarge.plans.spot.ofOnDemand: 1.5 (expected: >= 0 and <= 1)");
    Files.writeString(file, head + "    plans:\n      spot: {ofOnDemand: 0.5, source: \"\", date: undated}\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining("p5.48xlarge.plans.spot.source");
    Files.writeString(file, head + "    provisioningDelay: soon\n");
    assertThatThrownBy(() -> Profiles.withOverrides(file))
        .hasMessageContaining("p5.48xlarge.provisioningDelay: soon (expected: a duration such as 90s, 5m or 1h)");
  }
}
