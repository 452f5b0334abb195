package dev.spillway.gateway.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The canonical form the parser gives deterministic requests for the response cache. */
class CanonicalRequestTest {

  private static final ModelInfo MODEL =
      new ModelInfo("m", List.of("alias"), false, 0, 1000, 64, 0, List.of("m@x"), true);
  private static final ModelInfo EMBEDDER =
      new ModelInfo("e", List.of(), true, 32, 1000, 1, 0, List.of("e@x"));

  private static String canonical(Endpoint endpoint, String body) {
    return OpenAiParser.parse(
            endpoint, body.getBytes(StandardCharsets.UTF_8), "req-1", name -> null,
            name -> name.equals("e") ? Optional.of(EMBEDDER) : Optional.of(MODEL))
        .core()
        .canonical();
  }

  private static String chat(String body) {
    return canonical(Endpoint.CHAT_COMPLETIONS, body);
  }

  @Test
  void isTheEndpointAndTheSortedBodyWithoutDeliveryTenantBudgetOrSampling() {
    assertThat(
            chat(
                "{\"model\":\"m\",\"temperature\":0,\"max_tokens\":5,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"user\":\"u\",\"service_tier\":\"flex\","
                    + "\"messages\":[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"hi\"}],"
                    + "\"response_format\":{\"type\":\"json_object\"},\"stop\":[\"x\"],\"n\":1}"))
        .isEqualTo(
            "/v1/chat/completions\n"
                + "{\"messages\":[{\"content\":\"hi\",\"name\":\"ann\",\"role\":\"user\"}],"
                + "\"response_format\":{\"type\":\"json_object\"}}");
  }

  @Test
  void aModelWithoutACacheGetsNoCanonicalForm() {
    ModelInfo uncached = new ModelInfo("u", List.of(), false, 0, 1000, 64, 0, List.of("u@x"));
    String canonical =
        OpenAiParser.parse(
                Endpoint.CHAT_COMPLETIONS,
                "{\"model\":\"u\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                    .getBytes(StandardCharsets.UTF_8),
                "req-1", name -> null, name -> Optional.of(uncached))
            .core()
            .canonical();
    assertThat(canonical).isEmpty();
  }

  @Test
  void keyOrderWhitespaceAndNullMembersDoNotChangeIt() {
    String a =
        chat("{\"model\":\"m\",\"seed\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    String b =
        chat(" { \"messages\" : [ { \"content\" : \"hi\" , \"role\" : \"user\", \"name\": null } ],"
            + " \"seed\" : 1 , \"model\" : \"alias\", \"tools\": null } ");
    assertThat(b).isEqualTo(a);
  }

  @Test
  void rolesPartsAndToolCallsAreKept() {
    String user = chat("{\"model\":\"m\",\"seed\":1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    String system =
        chat("{\"model\":\"m\",\"seed\":1,\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}");
    String parts =
        chat("{\"model\":\"m\",\"seed\":1,\"messages\":[{\"role\":\"user\","
            + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}");
    assertThat(List.of(user, system, parts)).doesNotHaveDuplicates();
  }

  @Test
  void textCompletionsHaveTheirOwnEndpointAndKeepThePromptAsSent() {
    String text = canonical(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"temperature\":0,\"prompt\":\"hi \\\"x\\\"\"}");
    String ids = canonical(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"temperature\":0,\"prompt\":[6151]}");
    assertThat(text).isEqualTo("/v1/completions\n{\"prompt\":\"hi \\\"x\\\"\"}");
    assertThat(ids).isEqualTo("/v1/completions\n{\"prompt\":[6151]}");
  }

  @Test
  void isEmptyForRequestsThatAreNeverCached() {
    assertThat(chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).isEmpty();
    assertThat(
            chat("{\"model\":\"m\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .isEmpty();
    assertThat(canonical(Endpoint.EMBEDDINGS, "{\"model\":\"e\",\"input\":\"hi\"}")).isEmpty();
  }
}
