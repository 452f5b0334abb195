package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values the chart refuses, in values.schema.json or in templates/validate.yaml, saying why. */
class ValuesValidationTest {

  @Test
  void schemaRejectsAMisspelledKey() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("gateway.replicaCont", 2)))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("replicaCont");
  }

  @Test
  void schemaRejectsAMisspelledKeyInAnEmulator() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("emulators.h100.accelerater", "p5.48xlarge")))
        .hasMessageContaining("accelerater");
  }

  @Test
  void schemaRejectsAValueOfTheWrongKind() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("redis.onFailure", "open")))
        .hasMessageContaining("onFailure");
    assertThatThrownBy(() -> ChartRender.render(Map.of("gateway.replicaCount", "two")))
        .hasMessageContaining("replicaCount");
  }

  @Test
  void moreThanOneReplicaWithTenantsButNoRedisFailsToRenderSayingWhy() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("gateway.replicaCount", 3)))
        .hasMessageContaining("gateway.replicaCount: 3 with tenants but no shared store (expected: redis.url or"
            + " redis.enabled=true; without Redis every gateway pod keeps its own limits and budgets, so each"
            + " tenant would get up to 3 times its rpm, tpm and budget)");
  }

  @Test
  void autoscalingWithTenantsButNoRedisFailsToRenderToo() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("gateway.autoscaling.enabled", true)))
        .hasMessageContaining("gateway.replicaCount: autoscaled with tenants but no shared store")
        .hasMessageContaining("up to 10 times");
  }

  @Test
  void moreThanOneReplicaWithTheChartsRedisSharesLimitsThroughIt() {
    Manifests rendered = ChartRender.render(Map.of("gateway.replicaCount", 3, "redis.enabled", true));
    GatewayConfig config = new ConfigLoader(Map.of("SPILLWAY_DEMO_KEY_SHA256", "0".repeat(64))::get)
        .parse(rendered.gatewayConfig(), "ConfigMap");

    assertThat(config.cluster().redis()).contains("redis://spillway-redis.llm.svc.cluster.local:6379");
    assertThat(rendered.names()).contains("Deployment/spillway-redis", "Service/spillway-redis");
    assertThat(rendered.service("spillway-redis").getSpec().getPorts().get(0).getPort()).isEqualTo(6379);
  }

  @Test
  void anExternalRedisAndTheChartsOwnTogetherFailToRender() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("redis.enabled", true, "redis.url", "redis://r:6379")))
        .hasMessageContaining("redis.url: redis://r:6379 with redis.enabled=true (expected: one of them");
  }

  @Test
  void noTenantsFailsToRenderSinceTheGatewayWouldOnlyListenOnLoopback() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("gateway.tenants", "null")))
        .hasMessageContaining("gateway.tenants: [] (expected: at least one tenant with a key");
  }

  @Test
  void anEnabledExperimentWithoutAFileFailsToRender() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("experiment.enabled", true)))
        .hasMessageContaining("experiment.file: empty with experiment.enabled=true");
  }
}
