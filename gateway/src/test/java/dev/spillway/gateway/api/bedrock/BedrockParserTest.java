package dev.spillway.gateway.api.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Converse and Meta Llama bodies into core requests; every bad input a Bedrock error naming its field. */
class BedrockParserTest {

  static final ModelInfo LLAMA =
      new ModelInfo(
          "llama-3.1-8b", List.of("meta-llama/Llama-3.1-8B-Instruct"), false, 0, 1000, 64, 0, List.of("p"));
  static final ModelInfo E5 = new ModelInfo("e5", List.of(), true, 16, 512, 1, 0, List.of("q"));
  static final Function<String, Optional<ModelInfo>> MODELS =
      name -> Optional.ofNullable(Map.of("llama-3.1-8b", LLAMA, "meta-llama/Llama-3.1-8B-Instruct", LLAMA, "e5", E5).get(name));
  static final String ID = "meta.llama3-1-8b-instruct-v1:0";
  static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello\"}]}]";

  private static BedrockRequest converse(String body) {
    return converse(ID, body);
  }

  private static BedrockRequest converse(String id, String body) {
    return BedrockParser.parse(
        BedrockOperation.CONVERSE, id, body.getBytes(StandardCharsets.UTF_8), "req-1", h -> null, MODELS);
  }

  private static BedrockRequest invoke(String body, Map<String, String> headers) {
    return BedrockParser.parse(
        BedrockOperation.INVOKE_MODEL, ID, body.getBytes(StandardCharsets.UTF_8), "req-1", headers::get, MODELS);
  }

  private static void refused(Runnable parse, int status, String message) {
    assertThatThrownBy(parse::run)
        .isInstanceOfSatisfying(
            BedrockError.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.getMessage()).isEqualTo(message);
            });
  }

  @Test
  void resolvesFoundationIdsProfilesAndArnsToTheSameModel() {
    assertThat(converse(HELLO + "}").model()).isEqualTo(LLAMA);
    BedrockRequest profile = converse("eu." + ID, HELLO + "}");
    assertThat(profile.model()).isEqualTo(LLAMA);
    assertThat(profile.modelId().geography()).hasValue("eu");
    BedrockRequest arn = converse("arn:aws:bedrock:us-east-1::foundation-model/" + ID, HELLO + "}");
    assertThat(arn.model()).isEqualTo(LLAMA);
    assertThat(arn.modelId().arnRegion()).hasValue("us-east-1");
    assertThat(converse("llama-3.1-8b", HELLO + "}").model()).isEqualTo(LLAMA);
    refused(
        () -> converse("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", HELLO + "}"), 404,
        "modelId: arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc is a provisioned-model ARN"
            + " (expected: a foundation model or inference profile id or ARN)");
  }

  @Test
  void readsConversesInferenceConfigAndSystem() {
    BedrockRequest request =
        converse(
            "{\"system\":[{\"text\":\"Be brief.\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"},"
                + "{\"cachePoint\":{\"type\":\"default\"}}]}],\"inferenceConfig\":{\"maxTokens\":7,\"temperature\":0,"
                + "\"topP\":0.5,\"stopSequences\":[\"\\n\\n\"]},\"additionalModelRequestFields\":{\"top_k\":5}}");

    assertThat(request.core().maxOutputTokens()).isEqualTo(7);
    assertThat(request.core().sampling().temperature()).isZero();
    assertThat(request.core().sampling().stop()).containsExactly("\n\n");
    assertThat(request.core().prompt()).isEqualTo("Be brief.\nHi");
    assertThat(request.core().tier()).isEqualTo(ServiceTier.DEFAULT);
    assertThat(request.core().model()).isEqualTo("llama-3.1-8b");
  }

  @Test
  void mapsServiceTiersAndLatency() {
    assertThat(converse(HELLO + ",\"serviceTier\":{\"type\":\"flex\"}}").core().tier()).isEqualTo(ServiceTier.FLEX);
    assertThat(converse(HELLO + ",\"serviceTier\":{\"type\":\"reserved\"}}").core().tier())
        .isEqualTo(ServiceTier.PRIORITY);
    assertThat(converse(HELLO + ",\"performanceConfig\":{\"latency\":\"optimized\"}}").core().tier())
        .isEqualTo(ServiceTier.PRIORITY);
    assertThat(
            converse(HELLO + ",\"performanceConfig\":{\"latency\":\"optimized\"},\"serviceTier\":{\"type\":\"flex\"}}")
                .core().tier())
        .isEqualTo(ServiceTier.FLEX);
    assertThat(invoke("{\"prompt\":\"Hi\"}", Map.of("x-amzn-bedrock-service-tier", "priority")).core().tier())
        .isEqualTo(ServiceTier.PRIORITY);
    refused(
        () -> converse(HELLO + ",\"serviceTier\":{\"type\":\"gold\"}}"), 400,
        "serviceTier.type: gold (expected: priority, default, flex or reserved)");
    refused(
        () -> invoke("{\"prompt\":\"Hi\"}", Map.of("x-amzn-bedrock-performanceconfig-latency", "fast")), 400,
        "X-Amzn-Bedrock-PerformanceConfig-Latency: fast (expected: standard or optimized)");
  }

  @Test
  void readsMetaLlamasInvokeBody() {
    BedrockRequest request =
        invoke("{\"prompt\":\"<|begin_of_text|>Hi\",\"max_gen_len\":9,\"temperature\":0.3,\"top_p\":0.7}", Map.of());

    assertThat(request.core().maxOutputTokens()).isEqualTo(9);
    assertThat(request.core().sampling().topP()).isEqualTo(0.7);
    assertThat(request.core().prompt()).isEqualTo("<|begin_of_text|>Hi");
    BedrockRequest defaults = invoke("{\"prompt\":\"Hi\"}", Map.of());
    assertThat(defaults.core().maxOutputTokens()).isEqualTo(64);
    assertThat(defaults.core().sampling().temperature()).isEqualTo(0.5);
  }

  @Test
  void refusesBadInputNamingTheField() {
    refused(() -> invoke("{}", Map.of()), 400, "prompt: missing (expected: a string)");
    refused(
        () -> invoke("{\"prompt\":\"Hi\",\"max_gen_len\":5000}", Map.of()), 400,
        "max_gen_len: 5000 (expected: at most 999, the model's context of 1000 tokens less the prompt's 1)");
    refused(() -> invoke("{\"prompt\":\"Hi\",\"top_p\":2}", Map.of()), 400, "top_p: 2 (expected: a number from 0 to 1)");
    refused(() -> converse("[1]"), 400, "body: [1] (expected: a JSON object)");
    assertThatThrownBy(() -> converse("{"))
        .isInstanceOf(BedrockError.class)
        .hasMessageStartingWith("body: malformed JSON (")
        .hasMessageEndingWith(" (expected: a JSON object)");
    refused(
        () -> converse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{}}]}]}"), 400,
        "messages[0].content[0]: image (expected: a text block; the gateway serves text models)");
    refused(
        () -> converse("{\"messages\":[{\"role\":\"robot\",\"content\":[]}]}"), 400,
        "messages[0].role: \"robot\" (expected: user or assistant)");
    refused(
        () -> converse(
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]},{\"role\":\"assistant\",\"content\":[{\"text\":\"b\"}]}]}"),
        400, "messages[1].role: assistant (expected: the last message from user)");
    refused(
        () -> converse(HELLO + ",\"toolConfig\":{\"tools\":[]}}"), 400,
        "toolConfig: {\"tools\":[]} (expected: absent; the gateway does not call tools)");
    refused(() -> converse("nobody.model-v1:0", HELLO + "}"), 404,
        "modelId: nobody.model-v1:0 (expected: a model this gateway serves, by its Bedrock id, inference profile or configured name)");
    refused(() -> converse("e5", HELLO + "}"), 400,
        "modelId: e5 is an embedding model (expected: a model that generates text)");
  }
}
