package dev.spillway.gateway.api.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Geography prefixes to the model's pools in the profile's regions. */
class ProfileRouterTest {

  static final String CONFIG =
      "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    pools:\n"
          + "      - {name: llama-use1, kind: emulated, accelerator: p5.48xlarge, region: us-east-1}\n"
          + "      - {name: llama-usw2, kind: emulated, accelerator: p5.48xlarge, region: us-west-2}\n"
          + "      - {name: llama-euw1, kind: emulated, accelerator: p5.48xlarge, region: eu-west-1}\n"
          + "  - name: llama-3.3-70b\n"
          + "    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n"
          + "inferenceProfiles:\n"
          + "  regions:\n"
          + "    eu: [eu-west-1, eu-west-3]\n"
          + "    jp: [ap-northeast-1]\n"
          + "  application:\n"
          + "    - {id: search-prod, model: llama-3.1-8b, tag: team-search}\n"
          + "    - {id: chat7, model: llama-3.3-70b}\n";

  static final ProfileRouter ROUTER = ProfileRouter.of(new ConfigLoader(name -> null).parse(CONFIG, "test"));
  static final ModelInfo SMALL =
      new ModelInfo("llama-3.1-8b", List.of(), false, 0, 1000, 64, 0, List.of("llama-use1", "llama-usw2", "llama-euw1"));
  static final ModelInfo LARGE =
      new ModelInfo("llama-3.3-70b", List.of(), false, 0, 1000, 64, 0, List.of("llama-3.3-70b@p5"));

  @Test
  void aGeographyReachesTheModelsPoolsInItsRegions() {
    assertThat(ROUTER.pools(BedrockModelId.parse("us.meta.llama3-1-8b-instruct-v1:0"), SMALL))
        .containsExactly("llama-use1", "llama-usw2");
    assertThat(ROUTER.pools(BedrockModelId.parse("eu.meta.llama3-1-8b-instruct-v1:0"), SMALL))
        .containsExactly("llama-euw1");
    assertThat(ROUTER.region("llama-usw2")).hasValue("us-west-2");
  }

  @Test
  void globalTheBareIdAndAModelWithoutRegionsReachEveryPool() {
    assertThat(ROUTER.pools(BedrockModelId.parse("global.meta.llama3-1-8b-instruct-v1:0"), SMALL)).isEmpty();
    assertThat(ROUTER.pools(BedrockModelId.parse("meta.llama3-1-8b-instruct-v1:0"), SMALL)).isEmpty();
    assertThat(ROUTER.pools(BedrockModelId.parse("apac.meta.llama3-3-70b-instruct-v1:0"), LARGE)).isEmpty();
  }

  @Test
  void aProfileWithNoneOfTheModelsRegionsIsAValidationError() {
    assertThatThrownBy(() -> ROUTER.pools(BedrockModelId.parse("apac.meta.llama3-1-8b-instruct-v1:0"), SMALL))
        .isInstanceOfSatisfying(
            BedrockError.class,
            e -> {
              assertThat(e.type()).isEqualTo(BedrockError.VALIDATION);
              assertThat(e.getMessage())
                  .startsWith("modelId: apac.meta.llama3-1-8b-instruct-v1:0 (expected: a profile with a pool of llama-3.1-8b")
                  .contains("runs in us-east-1, us-west-2, eu-west-1");
            });
  }

  @Test
  void aConfiguredGeographyIsAPrefixToo() {
    BedrockModelId id = BedrockModelId.parse("jp.meta.llama3-1-8b-instruct-v1:0", ROUTER.geographies());

    assertThat(id.geography()).hasValue("jp");
    assertThat(id.foundation()).isEqualTo("meta.llama3-1-8b-instruct-v1:0");
    assertThat(BedrockModelId.parse("jp.meta.llama3-1-8b-instruct-v1:0").geography()).isEmpty();
  }

  @Test
  void findsApplicationProfilesByArnOrIdWithTheirModelAndTag() {
    assertThat(ROUTER.application("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/search-prod"))
        .hasValueSatisfying(
            a -> {
              assertThat(a.model()).isEqualTo("llama-3.1-8b");
              assertThat(a.tag()).isEqualTo("team-search");
            });
    assertThat(ROUTER.application("chat7")).hasValueSatisfying(a -> assertThat(a.tag()).isEqualTo("chat7"));
    assertThat(ROUTER.application("arn:aws:bedrock:us-east-1::foundation-model/search-prod")).isEmpty();
    assertThat(ROUTER.application("meta.llama3-1-8b-instruct-v1:0")).isEmpty();
  }

  @Test
  void anApplicationProfileMustNameAConfiguredModel() {
    assertThatThrownBy(
            () -> new ConfigLoader(name -> null).parse(CONFIG.replace("model: llama-3.3-70b}", "model: gpt-9}"), "test"))
        .hasMessage("inferenceProfiles.application[1].model: gpt-9 (expected: a configured model name or alias)");
  }

  @Test
  void theConfigurationOverridesAndAddsProfiles() {
    GatewayConfig config = new ConfigLoader(name -> null).parse(CONFIG, "test");

    assertThat(config.inferenceProfiles().regionsOf("eu")).hasValue(List.of("eu-west-1", "eu-west-3"));
    assertThat(config.inferenceProfiles().regionsOf("jp")).hasValue(List.of("ap-northeast-1"));
    assertThat(config.inferenceProfiles().regionsOf("us")).hasValueSatisfying(r -> assertThat(r).contains("us-east-1"));
    assertThatThrownBy(
            () -> new ConfigLoader(name -> null)
                .parse(CONFIG.replace("region: us-west-2", "region: Oregon"), "test"))
        .hasMessageContaining("region: Oregon (expected: a region name such as us-east-1)");
  }
}
