package dev.spillway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.ServiceTier;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TenancyConfigTest {

  private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  private static final String SHA = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

  private final ConfigLoader loader = new ConfigLoader(Map.of("ACME_AWS_SECRET", AWS_SECRET)::get);

  private static final String MODELS =
      "models:\n"
          + "  - name: llama-3.1-8b\n    aliases: [meta-llama/Llama-3.1-8B-Instruct]\n"
          + "    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n"
          + "  - name: llama-3.3-70b\n    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n";

  private GatewayConfig parse(String tenancy) {
    return loader.parse(MODELS + tenancy, "test");
  }

  @Test
  void readsTheIssueExample() {
    GatewayConfig config =
        parse(
            "tenants:\n"
                + "  - name: acme\n"
                + "    models: [meta-llama/Llama-3.1-8B-Instruct, llama-3.3-70b]\n"
                + "    tiers: [default, flex]\n"
                + "    rpm: 600\n"
                + "    tpm: 200000\n"
                + "    budget: {usd: 50.00, period: month}\n"
                + "    keys:\n"
                + "      - {id: acme-ci, sha256: " + SHA.toUpperCase() + "}\n"
                + "      - {id: acme-aws, awsAccessKeyId: AKIDACME, awsSecretAccessKey: \"${ACME_AWS_SECRET}\"}\n"
                + "admin:\n  keys: [{id: ops, sha256: " + "ab".repeat(32) + "}]\n"
                + "cluster: {redis: redis://127.0.0.1:6379}\n");
    assertThat(config.keyed()).isTrue();
    TenantConfig acme = config.tenants().get(0);
    assertThat(acme.models()).containsExactlyInAnyOrder("llama-3.1-8b", "llama-3.3-70b");
    assertThat(acme.tiers()).containsExactlyInAnyOrder(ServiceTier.DEFAULT, ServiceTier.FLEX);
    assertThat(acme.rpm()).hasValue(600);
    assertThat(acme.tpm()).hasValue(200_000);
    assertThat(acme.budget()).contains(new BudgetConfig(50.0, BudgetConfig.Period.MONTH));
    assertThat(acme.keys().get(0).sha256()).contains(SHA);
    assertThat(acme.keys().get(1).awsSecretAccessKey()).contains(AWS_SECRET);
    assertThat(config.admin().keys()).extracting(KeyConfig::id).containsExactly("ops");
    assertThat(config.cluster().redis()).contains("redis://127.0.0.1:6379");
    assertThat(config.cluster().onRedisFailure()).isEqualTo(ClusterConfig.OnFailure.LOCAL);
  }

  @Test
  void withoutTenantsTheGatewayIsOpenAndStateIsLocal() {
    GatewayConfig config = parse("");
    assertThat(config.keyed()).isFalse();
    assertThat(config.cluster()).isEqualTo(ClusterConfig.LOCAL);
    assertThat(config.withServer(config.server()).tenants()).isEmpty();
  }

  @Test
  void optionalFieldsDefaultToEverythingAndNoLimits() {
    TenantConfig t = parse("tenants: [{name: t, keys: [{id: k, sha256: " + SHA + "}]}]\n").tenants().get(0);
    assertThat(t.allowsModel("llama-3.3-70b")).isTrue();
    assertThat(t.allowsTier(ServiceTier.BATCH)).isTrue();
    assertThat(t.limited()).isFalse();
  }

  @Test
  void anAwsSecretWrittenInTheFileIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(
            () ->
                parse(
                    "tenants: [{name: t, keys: [{id: k, awsAccessKeyId: AKID, awsSecretAccessKey: "
                        + AWS_SECRET + "}]}]\n"))
        .hasMessageStartingWith("tenants[0].keys[0].awsSecretAccessKey: a literal value (expected:")
        .hasMessageNotContaining(AWS_SECRET);
  }

  @Test
  void badValuesNameTheirField() {
    String key = "keys: [{id: k, sha256: " + SHA + "}]";
    assertThatThrownBy(() -> parse("tenants: [{name: t, models: [gpt-9], " + key + "}]\n"))
        .hasMessageStartingWith("tenants[0].models[0]: gpt-9 (expected one of:");
    assertThatThrownBy(() -> parse("tenants: [{name: t, tiers: [gold], " + key + "}]\n"))
        .hasMessage("tenants[0].tiers[0]: gold (expected: priority, default, flex or batch)");
    assertThatThrownBy(() -> parse("tenants: [{name: t, rpm: 0, " + key + "}]\n"))
        .hasMessage("tenants[0].rpm: 0 (expected: an integer from 1 to 2147483647)");
    assertThatThrownBy(() -> parse("tenants: [{name: t, budget: {usd: -1}, " + key + "}]\n"))
        .hasMessage("tenants[0].budget.usd: -1 (expected: an amount in USD > 0)");
    assertThatThrownBy(() -> parse("tenants: [{name: t, budget: {usd: 5, period: year}, " + key + "}]\n"))
        .hasMessage("tenants[0].budget.period: year (expected: day, week or month)");
    assertThatThrownBy(() -> parse("tenants: [{name: t, keys: []}]\n"))
        .hasMessage("tenants[0].keys: array (expected: a list of at least one key)");
    assertThatThrownBy(() -> parse("tenants: [{name: t, keys: [{id: k, sha256: abc}]}]\n"))
        .hasMessage("tenants[0].keys[0].sha256: abc (expected: 64 hex digits, the SHA-256 of the secret)");
    assertThatThrownBy(
            () -> parse("tenants: [{name: a, " + key + "}, {name: b, keys: [{id: k2, sha256: " + SHA + "}]}]\n"))
        .hasMessageStartingWith("tenants[1].keys[0]: key k2 has the secret or access key id of another key");
    assertThatThrownBy(() -> parse("cluster: {redis: localhost:6379}\n"))
        .hasMessage("cluster.redis: localhost:6379 (expected: redis://host:port or rediss://host:port)");
    assertThatThrownBy(() -> parse("cluster: {onRedisFailure: maybe}\n"))
        .hasMessage("cluster.onRedisFailure: maybe (expected: local or closed)");
  }

  @Test
  void printedConfigurationHoldsNoSecret() {
    KeyConfig key = KeyConfig.aws("acme-aws", "AKIDACME", AWS_SECRET);
    assertThat(key.toString()).contains("acme-aws", "AKIDACME").doesNotContain(AWS_SECRET);
    assertThat(
            new TenantConfig(
                    "acme", java.util.Set.of(), java.util.Set.of(), java.util.OptionalLong.empty(),
                    java.util.OptionalLong.empty(), Optional.empty(), java.util.List.of(key))
                .toString())
        .doesNotContain(AWS_SECRET);
  }
}
