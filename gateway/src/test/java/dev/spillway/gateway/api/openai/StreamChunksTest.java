package dev.spillway.gateway.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.JsonText;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Token chunks, byte for byte, for every kind of stream and every character a token may hold. */
class StreamChunksTest {

  private static final ModelInfo MODEL = new ModelInfo("m", List.of(), false, 0, 1000, 64, 0, List.of("m@x"));

  private static OpenAiRequest request(Endpoint endpoint, String usage) {
    String body =
        "{\"model\":\"m\","
            + (endpoint == Endpoint.CHAT_COMPLETIONS
                ? "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
                : "\"prompt\":\"hi\"")
            + ",\"stream\":true"
            + (usage.equals("none")
                ? ""
                : ",\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":"
                    + usage.equals("continuous") + "}")
            + "}";
    return OpenAiParser.parse(
        endpoint, body.getBytes(StandardCharsets.UTF_8), "req-1", h -> null, n -> Optional.of(MODEL));
  }

  /** A token's chunk built field by field, as the SSE format in the class notes of StreamChunks says. */
  private static String expected(boolean chat, boolean includeUsage, String id, long created, String text) {
    StringBuilder s = new StringBuilder("data: {\"id\":");
    JsonText.string(s, id);
    s.append(",\"object\":\"").append(chat ? "chat.completion.chunk" : "text_completion")
        .append("\",\"created\":").append(created).append(",\"model\":\"m\",\"choices\":[");
    if (chat) {
      s.append("{\"index\":0,\"delta\":{\"content\":");
      JsonText.string(s, text);
      s.append("},\"logprobs\":null,\"finish_reason\":null}");
    } else {
      s.append("{\"text\":");
      JsonText.string(s, text);
      s.append(",\"index\":0,\"logprobs\":null,\"finish_reason\":null}");
    }
    s.append(']');
    if (includeUsage) {
      s.append(",\"usage\":null");
    }
    return s.append("}\n\n").toString();
  }

  @ParameterizedTest
  @CsvSource({
    "CHAT_COMPLETIONS, none",
    "CHAT_COMPLETIONS, include",
    "CHAT_COMPLETIONS, continuous",
    "COMPLETIONS, none",
    "COMPLETIONS, include",
    "COMPLETIONS, continuous"
  })
  void everyTokenChunkIsTheTokenEscapedInItsStreamsChunk(Endpoint endpoint, String usage) {
    OpenAiRequest request = request(endpoint, usage);
    boolean chat = endpoint == Endpoint.CHAT_COMPLETIONS;
    StreamChunks chunks = new StreamChunks("chatcmpl-\"x\"", 1700000000L, request);
    List<String> tokens = new ArrayList<>();
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      tokens.add(String.valueOf(c));
    }
    tokens.addAll(
        List.of("", " the", "\n\n", "say \"hi\"", "C:\\path", "\t", "caf\u00e9", "\ud83d\ude00", "a\u0000b", "\u007f"));
    int completion = 0;
    for (String token : tokens) {
      completion++;
      String chunk = chunks.token(token);
      if (usage.equals("continuous")) {
        int prompt = request.core().promptTokens();
        String running =
            ",\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}";
        String head = expected(chat, false, "chatcmpl-\"x\"", 1700000000L, token);
        assertThat(chunk).isEqualTo(head.substring(0, head.length() - 3) + running + "}\n\n");
      } else {
        assertThat(chunk).isEqualTo(expected(chat, usage.equals("include"), "chatcmpl-\"x\"", 1700000000L, token));
      }
    }
  }

  /** An {@link EventSink} that keeps what it is given, as bytes. */
  private static final class Collected implements EventSink {
    final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    @Override
    public void bytes(byte[] utf8) {
      out.writeBytes(utf8);
    }

    @Override
    public void text(String text) {
      out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    String drain() {
      String text = out.toString(StandardCharsets.UTF_8);
      out.reset();
      return text;
    }
  }

  @ParameterizedTest
  @CsvSource({
    "CHAT_COMPLETIONS, none",
    "CHAT_COMPLETIONS, include",
    "CHAT_COMPLETIONS, continuous",
    "COMPLETIONS, none",
    "COMPLETIONS, continuous"
  })
  void aTokenWrittenToASinkIsItsChunk(Endpoint endpoint, String usage) {
    OpenAiRequest request = request(endpoint, usage);
    StreamChunks asText = new StreamChunks("chatcmpl-1", 1700000000L, request);
    StreamChunks toSink = new StreamChunks("chatcmpl-1", 1700000000L, request);
    Collected sink = new Collected();
    List<TokenEvent.Token> tokens = new ArrayList<>();
    String[] texts = {"Hello", " world", "", "say \"hi\"", "caf\u00e9", "\ud83d\ude00", "\n", " end"};
    for (int i = 0; i < texts.length; i++) {
      tokens.add(new TokenEvent.Token(i, texts[i], i));
    }
    if (endpoint == Endpoint.CHAT_COMPLETIONS) {
      TokenEvent.ToolCall call = new TokenEvent.ToolCall(0, "call_1", "get_weather");
      tokens.add(new TokenEvent.Token(texts.length, "{\"city\":", texts.length, call));
      tokens.add(new TokenEvent.Token(texts.length + 1, "\"Oslo\"}", texts.length + 1, call));
    }
    for (TokenEvent.Token token : tokens) {
      toSink.token(token, sink);
      assertThat(sink.drain()).as(token.text()).isEqualTo(asText.token(token));
    }
    SpillwayFacts facts = new SpillwayFacts("p", "p/0", 0.001, 0.002, 1.5);
    assertThat(toSink.end(FinishReason.LENGTH, new Usage(3, tokens.size()), facts))
        .as("the end, with the tokens counted")
        .isEqualTo(asText.end(FinishReason.LENGTH, new Usage(3, tokens.size()), facts));
  }
}
