package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.time.VirtualClock;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The remaining outputs a prediction reads equal a walk over the engine's sequences at every instant,
 * whether the snapshot was walked again or had what joined inserted.
 */
class RemainingOutputsTest {

  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(
            Path.of(RemainingOutputsTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  @Test
  void equalsAWalkWhenSequencesJoinStraightFromSubmission() {
    checkUnderLoad(0);
  }

  @Test
  void equalsAWalkWhenSequencesJoinFromTheFrontEnd() {
    checkUnderLoad(2.0); // a host thread: each request spends 2 ms admitting
  }

  private void checkUnderLoad(double hostRequestMs) {
    VirtualClock clock = new VirtualClock();
    Deployment d =
        Deployment.of(
            profiles, profiles.accelerator("tiny.1"), profiles.model("llama-3.1-8b"),
            profiles.stack("test-continuous"), 1, null);
    double[] efficiency = d.efficiency().toArray();
    efficiency[12] = hostRequestMs;
    Engine engine =
        new Engine("tiny/0", d.withEfficiency(Efficiency.fromArray(efficiency)), clock, profiles.prices(), 0);
    RemainingOutputs remaining = engine.predictor().remaining();
    SplittableRandom random = new SplittableRandom(11);
    long at = 0;
    int checks = 0;
    for (int i = 0; i < 400; i++) {
      at += random.nextLong(2_000_000);
      int burst = 1 + random.nextInt(4); // several join at one instant, before anyone predicts
      for (int b = 0; b < burst; b++) {
        InferenceRequest request = request("r" + i + "-" + b, 1 + random.nextInt(300), 1 + random.nextInt(120));
        clock.schedule(at, () -> engine.submit(request, event -> {}));
      }
      clock.schedule(at, () -> check(engine, remaining, random));
      clock.schedule(at + random.nextLong(1_000_000), () -> check(engine, remaining, random));
      checks += 2;
    }
    clock.run();
    assertThat(remaining.version()).isGreaterThan(checks / 2);
    // Both ways of taking the snapshot were used.
    assertThat(remaining.walks()).isPositive().isLessThan(remaining.version());
  }

  private static void check(Engine engine, RemainingOutputs remaining, SplittableRandom random) {
    for (int k = 0; k < 3; k++) {
      double perToken = 0.001 + random.nextDouble() * 0.05;
      double start = random.nextDouble() * 2;
      double end = start + random.nextDouble() * 5;
      double walked = 0;
      for (Iterable<Sequence> group : List.of(engine.runningSequences(), engine.waitingSequences())) {
        for (Sequence s : group) {
          walked += Math.max(0, Math.min(s.remainingOutput() * perToken, end) - start);
        }
      }
      assertThat(remaining.overlap(perToken, start, end)).isCloseTo(walked, within(1e-9 * (1 + walked)));
    }
  }

  private static InferenceRequest request(String id, int prompt, int output) {
    return new InferenceRequest(
        id, "llama-3.1-8b", prompt, output, "", 0,
        new SamplingParams(1.0, 1.0, OptionalLong.of(id.hashCode()), List.of()), ServiceTier.DEFAULT, "t",
        InferenceRequest.NO_DEADLINE);
  }
}
