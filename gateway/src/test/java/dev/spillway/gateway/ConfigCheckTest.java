package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCheckTest {

  private static final String SHA = "a".repeat(64);

  /** A keyed gateway on every address, one emulated and one upstream pool, limits in Redis. */
  private static final String KEYED =
      "server: {host: 0.0.0.0, port: 8080}\n"
          + "cluster: {redis: \"${REDIS_URL}\"}\n"
          + "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    pools:\n"
          + "      - {kind: emulated, accelerator: p5.48xlarge, replicas: 1}\n"
          + "      - {kind: upstream, name: remote, url: \"http://emulator-h100:8000/v1\", replicas: 2}\n"
          + "tenants:\n"
          + "  - name: team-a\n"
          + "    rpm: 600\n"
          + "    keys: [{id: a1, sha256: " + SHA + "}]\n";

  @TempDir Path dir;

  private Path file(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "gateway", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static ConfigCheck check(Map<String, String> environment) {
    return new ConfigCheck(environment::get);
  }

  @Test
  void summarisesAConfigTheGatewayWouldStartWith() throws Exception {
    Path config = file(KEYED);

    String summary = check(Map.of("REDIS_URL", "redis://redis:6379")).check(config, null);

    assertThat(summary)
        .isEqualTo(config + ": ok (1 model, 2 pools, 1 tenant, limits in redis, listening on 0.0.0.0:8080)");
  }

  @Test
  void namesAnEnvironmentVariableTheFileNeedsAndIsNotSet() throws Exception {
    Path config = file(KEYED);

    assertThatThrownBy(() -> check(Map.of()).check(config, null))
        .hasMessage("cluster.redis: ${REDIS_URL} is not set (expected: an environment variable, or"
            + " ${REDIS_URL:-default})");
  }

  @Test
  void refusesAnOpenGatewayOnEveryAddressAsTheGatewayWould() throws Exception {
    Path config =
        file("server: {host: 0.0.0.0}\nmodels:\n  - name: m\n    pools: [{kind: emulated, accelerator: cs-3}]\n");

    assertThatThrownBy(() -> check(Map.of()).check(config, null))
        .hasMessageStartingWith("server.host: 0.0.0.0 (expected: a loopback address");
  }

  @Test
  void refusesAPoolOfAnUnknownKind() throws Exception {
    Path config = file("models:\n  - name: m\n    pools: [{kind: tpu, name: p}]\n");

    assertThatThrownBy(() -> check(Map.of()).check(config, null))
        .hasMessage("pool p.kind: tpu (expected: emulated or upstream)");
  }

  @Test
  void refusesAMisspelledField() throws Exception {
    Path config = file("sever: {port: 1}\nmodels: []\n");

    assertThatThrownBy(() -> check(Map.of()).check(config, null))
        .hasMessageStartingWith("sever: unknown (expected one of: server, defaults, models");
  }

  @Test
  void checkFlagExitsZeroWithTheSummaryOrOneWithTheReason() throws Exception {
    Path good = file("models:\n  - name: m\n    pools: [{kind: emulated, accelerator: cs-3}]\n");
    Path bad = file("models:\n  - name: m\n    pools: [{kind: emulated, accelerator: cs-3, replicas: 0}]\n");

    Outcome ok = runMain("--check", "--config", good.toString());
    Outcome refused = runMain("--config", bad.toString(), "--check");

    assertThat(ok.status).as(ok.output).isZero();
    assertThat(ok.output).contains(good + ": ok (1 model, 1 pool, 0 tenants, limits in memory");
    assertThat(refused.status).as(refused.output).isEqualTo(1);
    assertThat(refused.output)
        .contains(bad + ": models[0].pools[0].replicas: 0 (expected: an integer from 1 to 10000)");
  }

  private record Outcome(int status, String output) {}

  /** {@link GatewayMain} in a JVM of its own: {@code --check} ends with {@code System.exit}. */
  private static Outcome runMain(String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new java.util.ArrayList<>(List.of(
        java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        GatewayMain.class.getName()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("gateway --check did not exit:\n" + output);
    }
    return new Outcome(process.exitValue(), output);
  }
}
