package dev.spillway.loadtest.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArrivalStatisticsTest {

  private static final int ARRIVALS = 20_000;

  private static double[] gapsMs(Arrival arrival, long seed) {
    List<PlannedRequest> plan =
        Workload.of(WorkloadOptions.builder(arrival, "m").requests(ARRIVALS).seed(seed).build()).plan();
    assertThat(plan).hasSize(ARRIVALS);
    double[] gaps = new double[plan.size() - 1];
    for (int i = 1; i < plan.size(); i++) {
      gaps[i - 1] = (plan.get(i).intendedStartNanos() - plan.get(i - 1).intendedStartNanos()) / 1e6;
    }
    return gaps;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  private static double variance(double[] values) {
    double mean = mean(values);
    double sum = 0;
    for (double v : values) {
      sum += (v - mean) * (v - mean);
    }
    return sum / values.length;
  }

  @Test
  void poissonAt50PerSecondHasMeanGapOf20msAndVarianceOf400ms2() {
    double[] gaps = gapsMs(new Arrival.Poisson(50), 7);

    assertThat(mean(gaps)).isCloseTo(20.0, within(20.0 * 0.02));
    assertThat(variance(gaps)).isCloseTo(400.0, within(400.0 * 0.05));
  }

  @Test
  void gammaWithBurstinessOneHalfKeepsTheMeanAndDoublesTheVariance() {
    double[] poisson = gapsMs(new Arrival.Poisson(50), 7);
    double[] gamma = gapsMs(new Arrival.Gamma(50, 0.5), 7);

    assertThat(mean(gamma)).isCloseTo(20.0, within(20.0 * 0.02));
    assertThat(variance(gamma)).isCloseTo(800.0, within(800.0 * 0.08));
    assertThat(variance(gamma) / variance(poisson)).isCloseTo(2.0, within(0.2));
  }

  @Test
  void gammaWithBurstinessOneIsPoissonInDistribution() {
    double[] gamma = gapsMs(new Arrival.Gamma(50, 1), 11);

    assertThat(mean(gamma)).isCloseTo(20.0, within(20.0 * 0.02));
    assertThat(variance(gamma)).isCloseTo(400.0, within(400.0 * 0.05));
  }

  @Test
  void constantArrivalsAreEvenlySpacedFromZero() {
    List<PlannedRequest> plan =
        Workload.of(WorkloadOptions.builder(new Arrival.Constant(50), "m").requests(1000).build()).plan();

    assertThat(plan.get(0).intendedStartNanos()).isZero();
    for (int i = 1; i < plan.size(); i++) {
      assertThat(plan.get(i).intendedStartNanos() - plan.get(i - 1).intendedStartNanos())
          .isBetween(20_000_000L - 1, 20_000_000L + 1);
    }
    assertThat(plan.get(999).intendedStartNanos()).isEqualTo(999L * 20_000_000L);
  }

  @Test
  void sameSeedGivesTheSameScheduleAndAnotherSeedAnotherOne() {
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Gamma(20, 0.7), "m")
            .requests(500)
            .inputLength(LengthSpec.parse("lognormal:512:0.6", "--input-len"))
            .models(Mix.parse("a=0.5,b=0.5", "--models"))
            .prefixRatio(0.5)
            .seed(42)
            .build();

    assertThat(Workload.of(options).plan()).isEqualTo(Workload.of(options).plan());
    assertThat(Workload.of(options.toBuilder().seed(43).build()).plan())
        .isNotEqualTo(Workload.of(options).plan());
  }

  @Test
  void aSweepChangesOnlyTheArrivalTimes() {
    WorkloadOptions options =
        WorkloadOptions.builder(new Arrival.Poisson(10), "m")
            .requests(200)
            .inputLength(new LengthSpec.Uniform(10, 1000))
            .seed(3)
            .build();

    List<Workload> sweep = Workload.sweep(options, List.of(10.0, 40.0));
    List<PlannedRequest> slow = sweep.get(0).plan();
    List<PlannedRequest> fast = sweep.get(1).plan();

    for (int i = 0; i < slow.size(); i++) {
      assertThat(fast.get(i).promptTokens()).isEqualTo(slow.get(i).promptTokens());
      assertThat(fast.get(i).model()).isEqualTo(slow.get(i).model());
    }
    assertThat(fast.get(199).intendedStartNanos()).isLessThan(slow.get(199).intendedStartNanos());
  }
}
