package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * helm/image/Dockerfile and the chart's defaults agree: the user the pods run as, the ports, the
 * jars' paths and names, the config path and the writable directory; and the image holds what
 * Maven builds. Nothing is built, pulled or pushed: no registry is reachable from CI.
 */
class ImageAndChartAgreeTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern JRE = Pattern.compile("eclipse-temurin:(\\d+)(?:\\.[\\d.]+)?-jre(?:-\\w+)?");

  private final Dockerfile dockerfile = Dockerfile.read(Path.of("image", "Dockerfile"));
  private final Manifests rendered =
      ChartRender.render(ChartRender.EXAMPLES.resolve("sharded-experiment.yaml"), Map.of());
  private final Container gateway =
      ChartDefaultsTest.container(rendered.deployment("spillway-gateway"));

  ImageAndChartAgreeTest() throws Exception {}

  /** Where the image copies each jar: {@code /opt/spillway/lib/spillway-gateway.jar} by its source. */
  private Map<String, String> copies() {
    return dockerfile.all("COPY").stream().map(Dockerfile.Instruction::words)
        .collect(Collectors.toMap(w -> w.get(0), w -> w.get(1)));
  }

  @Test
  void theImageRunsOnAJre17OrLaterAsTheNonRootUserThePodsRunAs() {
    Matcher base = JRE.matcher(dockerfile.last("FROM").arguments());
    assertThat(base.matches()).as(dockerfile.last("FROM").arguments()).isTrue();
    assertThat(Integer.parseInt(base.group(1))).isGreaterThanOrEqualTo(17);

    String[] user = dockerfile.last("USER").arguments().split(":");
    List<PodSpec> pods = new ArrayList<>();
    rendered.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
    rendered.all(Job.class).forEach(j -> pods.add(j.getSpec().getTemplate().getSpec()));
    for (PodSpec pod : pods) {
      assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.parseLong(user[0]));
      assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(Long.parseLong(user[1]));
    }
    assertThat(Long.parseLong(user[0])).isNotZero();
  }

  @Test
  void theImageExposesThePortsTheGatewayAndTheEmulatorsListenOn() {
    List<Integer> exposed = dockerfile.last("EXPOSE").words().stream().map(Integer::parseInt).toList();
    int emulatorPort = ChartDefaultsTest.container(rendered.deployment("spillway-emulator-h100"))
        .getPorts().get(0).getContainerPort();

    assertThat(exposed).containsExactlyInAnyOrder(gateway.getPorts().get(0).getContainerPort(), emulatorPort);
  }

  @Test
  void theImageHoldsTheThreeJarsMavenBuildsWhereTheChartRunsThem() throws Exception {
    Map<String, String> copies = copies();
    for (String module : List.of("gateway", "backends", "loadtest")) {
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      Matcher output = Pattern.compile("<outputFile>\\$\\{project.build.directory}/([^<]+)</outputFile>").matcher(pom);
      assertThat(output.find()).as(module + "/pom.xml shade outputFile").isTrue();
      assertThat(copies).containsKey(module + "/target/" + output.group(1));
    }
    List<String> commands = new ArrayList<>();
    rendered.all(Deployment.class).forEach(d -> commands.add(String.join(" ", ChartDefaultsTest.container(d).getCommand())));
    rendered.all(Job.class).forEach(j -> commands.add(String.join(" ",
        j.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand())));
    for (String command : commands) {
      Matcher jar = Pattern.compile("^java -jar (\\S+\\.jar)$").matcher(command);
      assertThat(jar.matches()).as(command).isTrue();
      assertThat(copies.values()).as(command).contains(jar.group(1));
    }
    assertThat(commands).anyMatch(c -> c.endsWith("spillway-backend.jar"))
        .anyMatch(c -> c.endsWith("spillway-loadtest.jar"));
  }

  @Test
  void theGatewayIsTheEntrypointAndItsDefaultConfigIsWhereTheChartMountsIt() {
    List<String> entrypoint = dockerfile.last("ENTRYPOINT").execForm();
    List<String> cmd = dockerfile.last("CMD").execForm();

    assertThat(gateway.getCommand()).isEqualTo(entrypoint);
    assertThat(gateway.getArgs()).isEqualTo(cmd);
    String configDir = gateway.getVolumeMounts().stream().filter(m -> m.getName().equals("config"))
        .findFirst().orElseThrow().getMountPath();
    assertThat(cmd).containsExactly("--config", configDir + "/gateway.yaml");
  }

  @Test
  void theWorkingDirectoryIsTheWritableDataVolumeAndTheJvmFollowsTheContainersLimits() {
    String workdir = dockerfile.last("WORKDIR").arguments();
    assertThat(gateway.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo(workdir);
      assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
    });
    assertThat(rendered.gatewayConfig()).contains("path: " + workdir + "/ledger");
    assertThat(dockerfile.last("ENV").arguments()).contains("JAVA_TOOL_OPTIONS=", "-XX:MaxRAMPercentage=");
    assertThat(gateway.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("JAVA_TOOL_OPTIONS");
      assertThat(e.getValue()).contains("-XX:MaxRAMPercentage=");
    });
  }

  @Test
  void theChartsAppVersionIsTheProjectsAndTheDefaultImageTagFollowsIt() throws Exception {
    JsonNode chart = new ObjectMapper(new YAMLFactory()).readTree(ChartRender.CHART.resolve("Chart.yaml").toFile());
    String version = System.getProperty("spillway.version");

    assertThat(chart.get("appVersion").asText()).isEqualTo(version);
    assertThat(gateway.getImage()).isEqualTo("spillway:" + version);
    assertThat(Files.readString(Path.of("image", "Dockerfile"))).contains("-t spillway:" + version + " .");
  }
}
