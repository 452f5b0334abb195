package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.gateway.ConfigCheck;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rendered ConfigMap is a config the gateway accepts: it loads through the gateway's own
 * {@link ConfigLoader}, passes {@code --check} ({@link ConfigCheck}), and its emulated pools point at
 * the emulator Services the chart renders, each with the replicas its pods serve.
 */
class GatewayConfigTest {

  /** What the Secret of upstream-and-route.yaml's comment holds: it brings its own (existingSecret). */
  private static final Map<String, String> EXISTING_SECRET =
      Map.of("OPENAI_API_KEY", "sk-test", "SPILLWAY_DEMO_KEY_SHA256", "0".repeat(64));

  @TempDir Path dir;

  /** The default values, then every example. */
  static Stream<Path> valueFiles() {
    List<Path> all = new ArrayList<>();
    all.add(null);
    all.addAll(ChartRender.examples());
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("valueFiles")
  void renderedConfigLoadsThroughTheGatewaysLoaderAndPassesItsCheck(Path values) throws Exception {
    Manifests rendered = ChartRender.render(values, Map.of("demoKey", "sk-test"));
    Map<String, String> env = environment(rendered);
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, rendered.gatewayConfig());

    GatewayConfig config = new ConfigLoader(env::get).parse(rendered.gatewayConfig(), "ConfigMap spillway-gateway");
    String summary = new ConfigCheck(env::get).check(file, null);

    assertThat(summary).startsWith(file + ": ok (");
    assertThat(config.keyed()).isTrue();
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    int port = ChartDefaultsTest.container(rendered.deployment("spillway-gateway")).getPorts().get(0).getContainerPort();
    assertThat(config.server().port()).isEqualTo(port);
    long grace = rendered.deployment("spillway-gateway").getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertThat(config.server().drainTimeout().getSeconds()).isLessThan(grace);
  }

  @ParameterizedTest
  @MethodSource("valueFiles")
  void everyEmulatorServiceIsOnePoolAtItsDnsNameWithTheReplicasItsPodsServe(Path values) {
    Manifests rendered = ChartRender.render(values, Map.of("demoKey", "sk-test"));
    GatewayConfig config = new ConfigLoader(environment(rendered)::get).parse(rendered.gatewayConfig(), "ConfigMap");

    Map<String, PoolConfig> poolsByHost = new HashMap<>();
    Map<String, String> modelByPool = new HashMap<>();
    for (ModelConfig model : config.models()) {
      for (PoolConfig pool : model.pools()) {
        if (pool.kind().equals("upstream") && pool.settings().get("url").toString().contains(".svc.")) {
          poolsByHost.put(URI.create(pool.settings().get("url").toString()).getHost(), pool);
          modelByPool.put(pool.name(), model.name());
        }
      }
    }
    List<Service> emulators = rendered.all(Service.class).stream()
        .filter(s -> s.getMetadata().getName().startsWith("spillway-emulator-")).collect(Collectors.toList());

    assertThat(poolsByHost.keySet()).containsExactlyInAnyOrderElementsOf(emulators.stream()
        .map(s -> s.getMetadata().getName() + "." + ChartRender.NAMESPACE + ".svc.cluster.local")
        .collect(Collectors.toList()));
    for (Service service : emulators) {
      String name = service.getMetadata().getName();
      PoolConfig pool = poolsByHost.get(name + "." + ChartRender.NAMESPACE + ".svc.cluster.local");
      URI url = URI.create(pool.settings().get("url").toString());
      assertThat(url.getPort()).isEqualTo(service.getSpec().getPorts().get(0).getPort());
      assertThat(url.getPath()).isEqualTo("/v1");
      Deployment deployment = rendered.deployment(name);
      List<String> args = ChartDefaultsTest.container(deployment).getArgs();
      int perPod = Integer.parseInt(arg(args, "--replicas"));
      assertThat(pool.replicas()).isEqualTo(deployment.getSpec().getReplicas() * perPod);
      assertThat(modelByPool.get(pool.name())).isEqualTo(arg(args, "--model"));
      assertThat(name).isEqualTo("spillway-emulator-" + pool.name());
    }
  }

  private static String arg(List<String> args, String flag) {
    return args.stream().filter(a -> a.startsWith(flag + "=")).map(a -> a.substring(flag.length() + 1))
        .findFirst().orElseThrow(() -> new AssertionError(flag + " not in " + args));
  }

  /**
   * The gateway's environment: the Secrets it takes as environment; a Secret it names that the chart
   * does not render is the user's own, which holds {@link #EXISTING_SECRET}.
   */
  private static Map<String, String> environment(Manifests rendered) {
    List<String> renderedSecrets = rendered.all(Secret.class).stream()
        .map(s -> s.getMetadata().getName()).collect(Collectors.toList());
    boolean ownSecret = ChartDefaultsTest.container(rendered.deployment("spillway-gateway")).getEnvFrom().stream()
        .anyMatch(e -> !renderedSecrets.contains(e.getSecretRef().getName()));
    Map<String, String> env = new HashMap<>(rendered.secretEnvironment());
    if (ownSecret) {
      env.putAll(EXISTING_SECRET);
    }
    return env;
  }
}
