package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeploymentTest {

  private final Profiles profiles = Profiles.builtIn();

  @Test
  void describesACerebrasPoolAsSystemsOfOneWaferEach() {
    Deployment seventy =
        Deployment.of(profiles, profiles.accelerator("cs-3"), profiles.model("llama-3.3-70b"), null, 0, null);
    Deployment eight =
        Deployment.of(profiles, profiles.accelerator("cs-3"), profiles.model("llama-3.1-8b"), null, 0, null);

    assertThat(seventy.toString()).startsWith("cs-3 tp=5 (5 systems of 1 wafer each) ");
    assertThat(eight.toString()).startsWith("cs-3 tp=1 (1 system of 1 wafer) ");
  }

  @Test
  void describesAGpuPoolAsChipsOfTheInstance() {
    Deployment d =
        Deployment.of(profiles, profiles.accelerator("p5.48xlarge"), profiles.model("llama-3.1-8b"), null, 2, null);

    assertThat(d.toString()).startsWith("p5.48xlarge tp=2 (2 of 8 chips) ");
  }
}
