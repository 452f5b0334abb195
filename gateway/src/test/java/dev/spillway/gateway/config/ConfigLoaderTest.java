package dev.spillway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.ServiceTier;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private final ConfigLoader loader =
      new ConfigLoader(Map.of("UPSTREAM_KEY", "sk-test", "PORT", "9090")::get);

  private static final String MINIMAL =
      "models:\n  - name: m\n    pools:\n      - kind: emulated\n        accelerator: p5.48xlarge\n";

  @Test
  void theEmbeddedDefaultServesTheRequiredModelsOnSeveralAccelerators() {
    GatewayConfig config = loader.loadDefault();
    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULT);
    assertThat(config.models())
        .extracting(ModelConfig::name)
        .contains("llama-3.1-8b", "llama-3.3-70b", "llama-3.1-405b", "e5-mistral-7b");
    ModelConfig seventy =
        config.models().stream().filter(m -> m.name().equals("llama-3.3-70b")).findFirst().orElseThrow();
    assertThat(seventy.pools())
        .extracting(PoolConfig::name)
        .containsExactly("llama-3.3-70b@trn2", "llama-3.3-70b@inf2", "llama-3.3-70b@p5", "llama-3.3-70b@cs-3");
    assertThat(config.models().stream().filter(ModelConfig::embedding)).hasSize(1);
  }

  @Test
  void defaultsAreInheritedAndModelsOverrideThem() {
    GatewayConfig config =
        loader.parse(
            "defaults:\n  routing: round-robin\n  maxQueueWait: 5s\n  slo:\n    priority: {ttft: 250ms}\n"
                + "models:\n"
                + "  - name: a\n    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n"
                + "  - name: b\n    routing: prefix-affinity\n    maxQueueWait: 1m\n"
                + "    pools: [{kind: emulated, accelerator: p5.48xlarge, name: b-pool, replicas: 3}]\n",
            "test");
    ModelConfig a = config.models().get(0);
    ModelConfig b = config.models().get(1);
    assertThat(a.routing()).isEqualTo("round-robin");
    assertThat(a.maxQueueWait()).isEqualTo(Duration.ofSeconds(5));
    assertThat(a.slos().get(ServiceTier.PRIORITY).ttft()).isEqualTo(Duration.ofMillis(250));
    assertThat(a.slos().get(ServiceTier.PRIORITY).tpot()).isEqualTo(Duration.ofMillis(60));
    assertThat(b.routing()).isEqualTo("prefix-affinity");
    assertThat(b.maxQueueWait()).isEqualTo(Duration.ofMinutes(1));
    assertThat(b.pools().get(0).name()).isEqualTo("b-pool");
    assertThat(b.pools().get(0).replicas()).isEqualTo(3);
    assertThat(b.pools().get(0).settings()).containsEntry("accelerator", "p5.48xlarge");
  }

  @Test
  void environmentVariablesAreSubstitutedForSecrets() {
    GatewayConfig config =
        loader.parse(
            "server: {port: '${PORT}'}\n"
                + "models:\n  - name: m\n    pools:\n      - kind: upstream\n"
                + "        url: ${UPSTREAM_URL:-http://127.0.0.1:8000/v1}\n        apiKey: ${UPSTREAM_KEY}\n",
            "test");
    assertThat(config.server().port()).isEqualTo(9090);
    Map<String, Object> settings = config.models().get(0).pools().get(0).settings();
    assertThat(settings).containsEntry("apiKey", "sk-test").containsEntry("url", "http://127.0.0.1:8000/v1");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "models:\n  - name: m\n    pools:\n      - kind: upstream\n        apiKey: ${MISSING}\n",
                    "test"))
        .hasMessageContaining("models[0].pools[0].apiKey: ${MISSING} is not set");
  }

  @Test
  void badValuesNameTheFieldAndTheExpectation() {
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("kind: emulated", "kind: emulated\n        replicas: 0"), "t"))
        .hasMessage("models[0].pools[0].replicas: 0 (expected: an integer from 1 to 10000)");
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("- name: m", "- name: m\n    routing: random"), "t"))
        .hasMessageStartingWith("models[0].routing: random (expected one of: [round-robin");
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("- name: m", "- name: m\n    maxQueueWait: soon"), "t"))
        .hasMessage("models[0].maxQueueWait: soon (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("- name: m", "- name: m\n    colour: blue"), "t"))
        .hasMessageStartingWith("models[0].colour: unknown (expected one of:");
    assertThatThrownBy(() -> loader.parse("server: {port: 70000}\n" + MINIMAL, "t"))
        .hasMessage("server.port: 70000 (expected: an integer from 0 to 65535)");
    assertThatThrownBy(() -> loader.parse("models: []\n", "t"))
        .hasMessageStartingWith("models: ");
    assertThatThrownBy(() -> loader.parse(MINIMAL + MINIMAL.substring("models:\n".length()), "t"))
        .hasMessageContaining("models[1].name: m (expected: a name or alias not used by another model)");
    assertThatThrownBy(() -> loader.parse("models: [ {name: x", "t")).hasMessageStartingWith("t: not valid YAML");
    assertThatThrownBy(() -> loader.parse(MINIMAL.replace("- name: m", "- name: m\n    queueCapacity: {urgent: 3}"), "t"))
        .hasMessageContaining("urgent (expected: priority, default, flex or batch)");
  }

  private static String autoscaled(String pool) {
    return "models:\n  - name: m\n    pools:\n      - kind: emulated\n        accelerator: p5.48xlarge\n"
        + pool;
  }

  @Test
  void anAutoscaledPoolStartsAtReplicasAndDefaultsTheRest() {
    PoolConfig pool =
        loader.parse(autoscaled("        autoscale: {min: 1, max: 4}\n"), "t").models().get(0).pools().get(0);
    AutoscaleConfig autoscale = pool.autoscale().orElseThrow();
    assertThat(pool.replicas()).as("starts at min").isEqualTo(1);
    assertThat(pool.maxReplicas()).isEqualTo(4);
    assertThat(autoscale.metric()).isEqualTo(AutoscaleConfig.Metric.QUEUE_DEPTH);
    assertThat(autoscale.target()).isEqualTo(4.0);
    assertThat(autoscale.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(autoscale.scaleDownAfter()).isEqualTo(Duration.ofSeconds(60));
    assertThat(autoscale.provisioningDelay()).isEmpty();
    assertThat(pool.settings()).doesNotContainKey("autoscale");

    pool =
        loader.parse(
                autoscaled(
                    "        replicas: 0\n        autoscale: {min: 0, max: 8, metric: utilisation,"
                        + " target: 0.6, interval: 30s, scaleDownAfter: 5m, provisioningDelay: 7m}\n"),
                "t")
            .models().get(0).pools().get(0);
    autoscale = pool.autoscale().orElseThrow();
    assertThat(pool.replicas()).isZero();
    assertThat(autoscale.metric()).isEqualTo(AutoscaleConfig.Metric.UTILISATION);
    assertThat(autoscale.target()).isEqualTo(0.6);
    assertThat(autoscale.provisioningDelay()).hasValue(Duration.ofMinutes(7));
    assertThat(loader.parse(MINIMAL, "t").models().get(0).pools().get(0).autoscale()).isEmpty();
  }

  @Test
  void badAutoscaleValuesNameTheField() {
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {min: 1}\n"), "t"))
        .hasMessage("models[0].pools[0].autoscale.max: missing (expected: an integer from 1 to 10000)");
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {min: 3, max: 2}\n"), "t"))
        .hasMessage("models[0].pools[0].autoscale.max: 2 (expected: >= autoscale.min 3)");
    assertThatThrownBy(
            () -> loader.parse(autoscaled("        replicas: 5\n        autoscale: {max: 4}\n"), "t"))
        .hasMessage("models[0].pools[0].replicas: 5 (expected: from autoscale.min 1 to autoscale.max 4)");
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {max: 4, metric: rps}\n"), "t"))
        .hasMessage("models[0].pools[0].autoscale.metric: rps (expected: queue-depth or utilisation)");
    assertThatThrownBy(
            () -> loader.parse(autoscaled("        autoscale: {max: 4, metric: utilisation, target: 80}\n"), "t"))
        .hasMessage("models[0].pools[0].autoscale.target: 80 (expected: a utilisation > 0 and <= 1)");
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {max: 4, target: 0}\n"), "t"))
        .hasMessage("models[0].pools[0].autoscale.target: 0 (expected: requests per replica, > 0)");
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {max: 4, interval: often}\n"), "t"))
        .hasMessage(
            "models[0].pools[0].autoscale.interval: often (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {max: 4, cooldown: 1m}\n"), "t"))
        .hasMessageStartingWith("models[0].pools[0].autoscale.cooldown: unknown (expected one of: min, max,");
    assertThatThrownBy(() -> loader.parse(autoscaled("        autoscale: {min: -1, max: 4}\n"), "t"))
        .hasMessage("models[0].pools[0].autoscale.min: -1 (expected: an integer from 0 to 10000)");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "models:\n  - name: m\n    pools:\n      - kind: upstream\n"
                        + "        url: http://127.0.0.1:1/v1\n        autoscale: {max: 4}\n",
                    "t"))
        .hasMessage(
            "models[0].pools[0].autoscale: set on an upstream pool (expected: only on emulated pools;"
                + " the gateway cannot add or remove an upstream's replicas)");
    assertThatThrownBy(() -> loader.parse(autoscaled("        replicas: 0\n"), "t"))
        .hasMessage("models[0].pools[0].replicas: 0 (expected: an integer from 1 to 10000)");
  }

  @Test
  void theLedgerIsOnByDefaultInTheWorkingDirectory() {
    assertThat(loader.parse(MINIMAL, "test").ledger()).isEqualTo(LedgerConfig.DEFAULT);
    assertThat(loader.loadDefault().ledger()).isEqualTo(LedgerConfig.DEFAULT);
    assertThat(LedgerConfig.DEFAULT.path()).isEqualTo(java.nio.file.Path.of("spillway-ledger"));
  }

  @Test
  void theLedgerSectionSetsItsDirectoryRotationAndQueueOrTurnsItOff() {
    GatewayConfig config =
        loader.parse(
            "ledger: {path: /var/lib/spillway/ledger, maxFileBytes: 1048576, queueCapacity: 100}\n"
                + MINIMAL,
            "test");
    assertThat(config.ledger())
        .isEqualTo(new LedgerConfig(true, java.nio.file.Path.of("/var/lib/spillway/ledger"), 1048576, 100));
    assertThat(loader.parse("ledger: {enabled: false}\n" + MINIMAL, "test").ledger().enabled()).isFalse();
  }

  @Test
  void badLedgerValuesNameTheirField() {
    assertThatThrownBy(() -> loader.parse("ledger: {enabled: maybe}\n" + MINIMAL, "test"))
        .hasMessage("ledger.enabled: maybe (expected: true or false)");
    assertThatThrownBy(() -> loader.parse("ledger: {maxFileBytes: 10}\n" + MINIMAL, "test"))
        .hasMessage("ledger.maxFileBytes: 10 (expected: an integer from 1024 to 2147483647)");
    assertThatThrownBy(() -> loader.parse("ledger: {queueCapacity: 0}\n" + MINIMAL, "test"))
        .hasMessage("ledger.queueCapacity: 0 (expected: an integer from 1 to 10000000)");
    assertThatThrownBy(() -> loader.parse("ledger: {dir: x}\n" + MINIMAL, "test"))
        .hasMessage("ledger.dir: unknown (expected one of: enabled, path, maxFileBytes, queueCapacity)");
  }

  @Test
  void drainTimeoutDefaultsToThirtySecondsAndIsADuration() {
    assertThat(loader.parse(MINIMAL, "t").server().drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(loader.parse("server: {drainTimeout: 2500ms}\n" + MINIMAL, "t").server().drainTimeout())
        .isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void badDrainTimeoutsNameTheField() {
    assertThatThrownBy(() -> loader.parse("server: {drainTimeout: 0s}\n" + MINIMAL, "t"))
        .hasMessage("server.drainTimeout: 0s (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
    assertThatThrownBy(() -> loader.parse("server: {drainTimeout: forever}\n" + MINIMAL, "t"))
        .hasMessage("server.drainTimeout: forever (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
    assertThatThrownBy(() -> ServerConfig.DEFAULT.withDrainTimeout(Duration.ofSeconds(-1)))
        .hasMessage("server.drainTimeout: PT-1S (expected: a positive duration)");
  }
}
