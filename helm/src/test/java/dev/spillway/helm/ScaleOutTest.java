package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** examples/scale-out-redis.yaml: autoscaled gateways sharing an external Redis, watched and fenced. */
class ScaleOutTest {

  private static final Path EXAMPLE = ChartRender.EXAMPLES.resolve("scale-out-redis.yaml");
  private final Manifests rendered = ChartRender.render(EXAMPLE);
  private final Deployment gateway = rendered.deployment("spillway-gateway");
  private final Map<String, String> gatewayPods =
      gateway.getSpec().getSelector().getMatchLabels();

  @Test
  void theAutoscalerTargetsTheGatewayOnQueueDepthAndOwnsItsReplicaCount() {
    HorizontalPodAutoscaler hpa = rendered.one(HorizontalPodAutoscaler.class, "spillway-gateway");

    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("spillway-gateway");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(12);
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo("Pods");
      assertThat(m.getPods().getMetric().getName()).isEqualTo("spillway_queue_depth");
    });
    assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(300);
    assertThat(gateway.getSpec().getReplicas()).isNull();
  }

  @Test
  void withoutCustomMetricsTheAutoscalerTargetsCpu() {
    Manifests cpu = ChartRender.render(Map.of("gateway.autoscaling.enabled", true, "redis.enabled", true));

    HorizontalPodAutoscaler hpa = cpu.one(HorizontalPodAutoscaler.class, "spillway-gateway");
    assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
      assertThat(m.getResource().getName()).isEqualTo("cpu");
      assertThat(m.getResource().getTarget().getAverageUtilization()).isEqualTo(70);
    });
  }

  @Test
  void theDisruptionBudgetKeepsAGatewayPodUp() {
    PodDisruptionBudget pdb = rendered.one(PodDisruptionBudget.class, "spillway-gateway");

    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(gatewayPods);
  }

  @Test
  void theServiceMonitorScrapesTheGatewayServicesMetrics() {
    List<GenericKubernetesResource> monitors = rendered.all("ServiceMonitor");

    assertThat(monitors).singleElement().satisfies(sm -> {
      assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
      assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
      Map<String, Object> spec = sm.get("spec");
      assertThat(sm.<Map<String, String>>get("spec", "selector", "matchLabels"))
          .isEqualTo(rendered.service("spillway-gateway").getSpec().getSelector());
      List<Map<String, Object>> endpoints = sm.get("spec", "endpoints");
      assertThat(endpoints).singleElement().satisfies(e -> {
        assertThat(e).containsEntry("port", "http").containsEntry("path", "/metrics");
      });
      assertThat(spec).containsKey("namespaceSelector");
    });
    assertThat(rendered.service("spillway-gateway").getSpec().getPorts().get(0).getName()).isEqualTo("http");
  }

  @Test
  void emulatorsAcceptOnlyTheGatewaysPods() {
    NetworkPolicy backends = rendered.one(NetworkPolicy.class, "spillway-backends");

    assertThat(backends.getSpec().getIngress()).singleElement().satisfies(rule ->
        assertThat(rule.getFrom()).singleElement().satisfies(peer ->
            assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(gatewayPods)));
    assertThat(backends.getSpec().getPodSelector().getMatchExpressions())
        .anySatisfy(e -> {
          assertThat(e.getKey()).isEqualTo("app.kubernetes.io/component");
          assertThat(e.getOperator()).isEqualTo("NotIn");
          assertThat(e.getValues()).contains("gateway");
        });
  }

  @Test
  void theRedisUrlComesFromTheSecretAndTheGatewayTakesTheSecretAsEnvironment() {
    String config = rendered.gatewayConfig();

    assertThat(config).contains("redis: ${REDIS_URL}");
    assertThat(rendered.secretEnvironment()).containsKey("REDIS_URL");
    assertThat(ChartDefaultsTest.container(gateway).getEnvFrom())
        .anySatisfy(e -> assertThat(e.getSecretRef().getName()).isEqualTo("spillway-env"));
    assertThat(rendered.names()).doesNotContain("Deployment/spillway-redis");
  }
}
