package dev.spillway.gateway.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.spillway.backends.wire.JsonText;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.core.GatewayRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The codec without HTTP: token counts, output budgets, SLO headers, hashes and vectors. */
class OpenaiCodecTest {

  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final ModelInfo MODEL =
      new ModelInfo("m", List.of(), false, 0, 100, 64, 0, List.of("m@x"));
  private static final ModelInfo EMBEDDER =
      new ModelInfo("e", List.of(), true, 32, 100, 1, 0, List.of("e@x"));

  private static OpenAiRequest parse(Endpoint endpoint, String body, Map<String, String> headers) {
    return OpenAiParser.parse(
        endpoint, body.getBytes(StandardCharsets.UTF_8), "req-1", headers::get,
        name -> name.equals("m") ? Optional.of(MODEL) : name.equals("e") ? Optional.of(EMBEDDER) : Optional.empty());
  }

  private static GatewayRequest chat(String extra) {
    return parse(
            Endpoint.CHAT_COMPLETIONS,
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]" + extra + "}",
            Map.of())
        .core();
  }

  @Test
  void countsChatPromptsAsTheOpenAiCookbookDoes() {
    String body =
        "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
            + "{\"role\":\"user\",\"name\":\"ann\",\"content\":[{\"type\":\"text\",\"text\":\"Hello there\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}},{\"type\":\"text\",\"text\":\" friend\"}]}]}";

    GatewayRequest request = parse(Endpoint.CHAT_COMPLETIONS, body, Map.of()).core();

    int expected =
        3 + CL100K.countTokens("system") + CL100K.countTokens("You are terse.")
            + 3 + CL100K.countTokens("user") + CL100K.countTokens("Hello there") + CL100K.countTokens(" friend")
            + 1 + CL100K.countTokens("ann")
            + 3;
    assertThat(request.promptTokens()).isEqualTo(expected);
    assertThat(request.prompt()).isEqualTo("You are terse.\nHello there friend");
  }

  @Test
  void capsTheDefaultOutputBudgetByTheContextLeft() {
    int prompt = chat("").promptTokens();

    assertThat(chat("").maxOutputTokens()).isEqualTo(Math.min(64, 100 - prompt));
    assertThat(chat(",\"max_tokens\":5,\"max_completion_tokens\":7").maxOutputTokens()).isEqualTo(7);
    assertThat(chat(",\"max_tokens\":" + (100 - prompt)).maxOutputTokens()).isEqualTo(100 - prompt);
    assertThatThrownBy(() -> chat(",\"max_tokens\":" + (101 - prompt)))
        .isInstanceOfSatisfying(OpenAiError.class, e -> assertThat(e.code()).isEqualTo("context_length_exceeded"));
    String words = "word ".repeat(90);
    String longPrompt = "{\"model\":\"m\",\"prompt\":\"" + words + "\"}";
    assertThat(parse(Endpoint.COMPLETIONS, longPrompt, Map.of()).core().maxOutputTokens())
        .isEqualTo(100 - CL100K.countTokens(words))
        .isLessThan(16);
    assertThat(parse(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"x\"}", Map.of()).core().maxOutputTokens())
        .isEqualTo(16);
  }

  @Test
  void letEitherSloHeaderStandAlone() {
    String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    GatewayRequest ttftOnly =
        parse(Endpoint.CHAT_COMPLETIONS, body, Map.of(OpenAiParser.SLO_TTFT_HEADER, " 300 ")).core();

    assertThat(ttftOnly.slo()).contains(new GatewayRequest.Slo(Duration.ofMillis(300), OpenAiParser.NO_OBJECTIVE));
  }

  @Test
  void hashesOnlyThePromptsFirst256Characters() {
    String head = "x".repeat(256);

    assertThat(OpenAiParser.prefixHash(head + "tail one")).isEqualTo(OpenAiParser.prefixHash(head + "tail two"));
    assertThat(OpenAiParser.prefixHash("a" + head)).isNotEqualTo(OpenAiParser.prefixHash("b" + head));
  }

  @Test
  void embedsEachInputDeterministicallyAsAUnitVector() {
    float[] a = EmbeddingVectors.vector("e", "alpha", 32, 32);

    assertThat(EmbeddingVectors.vector("e", "alpha", 32, 32)).isEqualTo(a);
    assertThat(EmbeddingVectors.vector("e", "beta", 32, 32)).isNotEqualTo(a);
    assertThat(EmbeddingVectors.vector("other", "alpha", 32, 32)).isNotEqualTo(a);
    double norm = 0;
    for (float f : a) {
      norm += f * f;
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, offset(1e-6));
    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getDecoder().decode(EmbeddingVectors.base64(a))).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(32 * 4);
    assertThat(bytes.getFloat(0)).isEqualTo(a[0]);
    assertThat(bytes.getFloat(31 * 4)).isEqualTo(a[31]);
  }

  @Test
  void sumsTheTokensOfEveryEmbeddingInputIntoOneCoreRequest() {
    OpenAiRequest request =
        parse(Endpoint.EMBEDDINGS, "{\"model\":\"e\",\"input\":[\"one two\",\"three\"]}", Map.of());
    OpenAiRequest ids = parse(Endpoint.EMBEDDINGS, "{\"model\":\"e\",\"input\":[[5,6,7],[8]]}", Map.of());

    assertThat(request.core().promptTokens()).isEqualTo(CL100K.countTokens("one two") + CL100K.countTokens("three"));
    assertThat(request.core().maxOutputTokens()).isEqualTo(1);
    assertThat(request.embeddingOptions().orElseThrow().inputs()).containsExactly("one two", "three");
    assertThat(ids.core().promptTokens()).isEqualTo(4);
    assertThat(ids.embeddingOptions().orElseThrow().inputs()).containsExactly("tokens:[5, 6, 7]", "tokens:[8]");
  }

  @Test
  void writesMoneyAsPlainDecimals() {
    assertThat(JsonText.decimal(1.25e-5)).isEqualTo("0.0000125");
    assertThat(JsonText.decimal(4.0e-8)).isEqualTo("0.00000004");
    assertThat(JsonText.decimal(2.0)).isEqualTo("2");
    assertThat(JsonText.decimal(Double.NaN)).isEqualTo("0");
  }

  @Test
  void everyCoreErrorAnswersWithItsKindsStatusAndContextOverflowWithOpenAisCode() {
    for (GatewayError.Kind kind : GatewayError.Kind.values()) {
      OpenAiError error = OpenAiError.from(GatewayError.of(kind, "m"));
      assertThat(error.status()).as(kind.name()).isEqualTo(kind.status());
      assertThat(error.toJson()).as(kind.name()).contains("\"message\":\"m\"");
    }
    OpenAiError overflow =
        OpenAiError.from(
            new GatewayError(
                GatewayError.Kind.CONTEXT_LENGTH_EXCEEDED, "too long", Optional.of("max_tokens"),
                Optional.empty(), false));
    assertThat(overflow.type()).isEqualTo("invalid_request_error");
    assertThat(overflow.code()).isEqualTo("context_length_exceeded");
    assertThat(overflow.param()).isEqualTo("max_tokens");
  }
}
