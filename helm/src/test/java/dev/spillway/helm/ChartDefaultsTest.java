package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartDefaultsTest {

  private static final List<String> EMULATORS = List.of("cerebras", "h100", "inferentia", "trainium");

  static List<Path> examples() {
    return ChartRender.examples();
  }

  @Test
  void defaultsRenderTheGatewayAndTheDemoFleetAndNothingOptional() {
    Manifests rendered = ChartRender.render(Map.of("demoKey", "sk-test"));

    List<String> expected = new ArrayList<>(List.of(
        "ServiceAccount/spillway", "Secret/spillway-demo-key", "ConfigMap/spillway-gateway",
        "Service/spillway-gateway", "Deployment/spillway-gateway"));
    for (String emulator : EMULATORS) {
      expected.add("Service/spillway-emulator-" + emulator);
      expected.add("Deployment/spillway-emulator-" + emulator);
    }
    assertThat(rendered.names()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void everyEmulatorRunsServeWithItsAcceleratorModelAndParallelism() {
    Manifests rendered = ChartRender.render(Map.of());

    Container h100 = container(rendered.deployment("spillway-emulator-h100"));
    Container cerebras = container(rendered.deployment("spillway-emulator-cerebras"));

    assertThat(h100.getArgs()).containsExactly(
        "serve", "--accelerator=p5.48xlarge", "--model=llama-3.3-70b", "--replicas=2", "--host=0.0.0.0",
        "--port=8000", "--tp=2", "--dtype=fp8");
    assertThat(cerebras.getArgs()).containsExactly(
        "serve", "--accelerator=cs-3", "--model=llama-3.3-70b", "--replicas=1", "--host=0.0.0.0", "--port=8000");
    assertThat(h100.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyObjectCarriesTheRecommendedLabelsAndSelectorsMatchTheirPods(Path example) {
    Manifests rendered = ChartRender.render(example, Map.of("demoKey", "sk-test"));

    for (HasMetadata object : rendered.objects) {
      Map<String, String> labels = object.getMetadata().getLabels();
      assertThat(labels).as(object.getKind() + "/" + object.getMetadata().getName())
          .containsEntry("app.kubernetes.io/name", "spillway")
          .containsEntry("app.kubernetes.io/instance", ChartRender.RELEASE)
          .containsEntry("app.kubernetes.io/managed-by", "Helm")
          .containsEntry("app.kubernetes.io/part-of", "spillway")
          .containsEntry("app.kubernetes.io/version", System.getProperty("spillway.version"))
          .containsEntry("helm.sh/chart", "spillway-0.1.0")
          .containsKey("app.kubernetes.io/component");
    }
    for (Deployment deployment : rendered.all(Deployment.class)) {
      Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
      assertThat(selector).doesNotContainKeys("app.kubernetes.io/version", "helm.sh/chart");
      assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector);
      Service service = rendered.service(deployment.getMetadata().getName());
      assertThat(service.getSpec().getSelector()).isEqualTo(selector);
      assertThat(service.getSpec().getPorts()).allSatisfy(port ->
          assertThat(container(deployment).getPorts()).anySatisfy(p ->
              assertThat(p.getName()).isEqualTo(port.getTargetPort().getStrVal())));
    }
  }

  @Test
  void gatewayProbesHealthAndReadinessAndOutlastsItsDrainWhenStopped() {
    Manifests rendered = ChartRender.render(Map.of("gateway.drainTimeoutSeconds", 120));
    Deployment gateway = rendered.deployment("spillway-gateway");
    Container container = container(gateway);

    assertThat(path(container.getLivenessProbe())).isEqualTo("/health");
    assertThat(path(container.getReadinessProbe())).isEqualTo("/ready");
    assertThat(path(container.getStartupProbe())).isEqualTo("/health");
    assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(container.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    // 5 s preStop + 120 s drain + 5 s to cancel + 5 s to close.
    assertThat(gateway.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(135);
    assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "5");
    assertThat(rendered.gatewayConfig()).contains("drainTimeout: 120s");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyPodRunsAsNonRootReadOnlyWithoutCapabilitiesOrToken(Path example) {
    Manifests rendered = ChartRender.render(example);
    List<PodSpec> pods = new ArrayList<>();
    rendered.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
    rendered.all(Job.class).forEach(j -> pods.add(j.getSpec().getTemplate().getSpec()));

    assertThat(pods).isNotEmpty();
    for (PodSpec pod : pods) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getAutomountServiceAccountToken()).isFalse();
      List<Container> containers = new ArrayList<>(pod.getContainers());
      if (pod.getInitContainers() != null) {
        containers.addAll(pod.getInitContainers());
      }
      for (Container c : containers) {
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
        assertThat(c.getResources().getLimits()).as(c.getName()).containsKey("memory");
      }
      if (!pod.getContainers().get(0).getName().equals("redis")) {
        Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
        assertThat(tmp.getEmptyDir()).isNotNull();
        assertThat(pod.getContainers().get(0).getVolumeMounts())
            .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
      }
    }
  }

  @Test
  void aConfigChangeRollsTheGatewayPodsAndAnUnrelatedChangeDoesNot() {
    String base = checksum(ChartRender.render(Map.of()));
    String sameConfig = checksum(ChartRender.render(Map.of("gateway.resources.limits.memory", "1Gi")));
    String newRouting = checksum(ChartRender.render(Map.of("gateway.defaults.routing", "round-robin")));
    String newEmulator = checksum(ChartRender.render(Map.of("emulators.h100.replicas", 3)));

    assertThat(sameConfig).isEqualTo(base);
    assertThat(newRouting).isNotEqualTo(base);
    assertThat(newEmulator).isNotEqualTo(base).isNotEqualTo(newRouting);
  }

  @Test
  void withoutScaleOutThereIsNoDisruptionBudgetAndWithItThereIs() {
    Manifests single = ChartRender.render(Map.of());
    Manifests three = ChartRender.render(Map.of("gateway.replicaCount", 3, "redis.enabled", true));

    assertThat(single.names()).noneMatch(n -> n.startsWith("PodDisruptionBudget/"));
    assertThat(three.names()).contains("PodDisruptionBudget/spillway-gateway");
    assertThat(three.deployment("spillway-gateway").getSpec().getReplicas()).isEqualTo(3);
  }

  static Container container(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static String path(Probe probe) {
    return probe.getHttpGet().getPath();
  }

  private static String checksum(Manifests rendered) {
    return rendered.deployment("spillway-gateway").getSpec().getTemplate().getMetadata().getAnnotations()
        .get("checksum/config");
  }
}
