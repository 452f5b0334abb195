package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming chunk reader on the shapes OpenAI-compatible servers send, and on the broken ones. */
class ChunkReaderTest {

  private final ChunkReader reader = new ChunkReader();

  private ChunkReader read(String json) throws ChunkReader.Malformed {
    byte[] bytes = ("  " + json + "  ").getBytes(StandardCharsets.UTF_8);
    reader.read(bytes, 0, bytes.length);
    return reader;
  }

  @Test
  void readsContentAndFinishReasonOfTheFirstChoiceAndSkipsTheRest() throws Exception {
    read(
        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"role\":\"assistant\",\"content\":\"h\\u00e9 \\\"x\\\"\",\"tool_calls\":[{\"a\":[1,2]}]},"
            + "\"logprobs\":{\"content\":[{\"token\":\"t\"}]},\"finish_reason\":\"length\"},"
            + "{\"index\":1,\"delta\":{\"content\":\"second\"}}],\"usage\":null,\"extra\":{\"n\":[{}]}}");
    assertThat(reader.content).isEqualTo("hé \"x\"");
    assertThat(reader.finishReason).isEqualTo("length");
    assertThat(reader.usage).isNull();
    assertThat(reader.error).isFalse();
    assertThat(reader.message).isFalse();
  }

  @Test
  void readsUsageAndAWholeCompletionsMessage() throws Exception {
    read(
        "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"Hi.\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}");
    assertThat(reader.message).isTrue();
    assertThat(reader.content).isEqualTo("Hi.");
    assertThat(reader.finishReason).isEqualTo("stop");
    assertThat(reader.usage).isEqualTo(new Usage(12, 3));
  }

  @Test
  void forgetsWhatThePreviousChunkHad() throws Exception {
    read("{\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
    read("{\"choices\":[]}");
    assertThat(reader.content).isNull();
    assertThat(reader.finishReason).isNull();
    assertThat(reader.usage).isNull();
  }

  @Test
  void flagsAnErrorMemberAndIgnoresMalformedUsage() throws Exception {
    read("{\"error\":{\"message\":\"engine died\"},\"usage\":{\"prompt_tokens\":\"x\",\"completion_tokens\":1}}");
    assertThat(reader.error).isTrue();
    assertThat(reader.usage).isNull();
    read("{\"error\":null,\"usage\":{\"prompt_tokens\":-1,\"completion_tokens\":1}}");
    assertThat(reader.error).isFalse();
    assertThat(reader.usage).isNull();
  }

  @Test
  void refusesWhatIsNotOneChunkObject() {
    assertThatThrownBy(() -> read("<html>502 Bad Gateway</html>")).isInstanceOf(ChunkReader.Malformed.class);
    assertThatThrownBy(() -> read("[1,2]")).isInstanceOf(ChunkReader.Malformed.class);
    assertThatThrownBy(() -> read("{\"choices\":[{\"delta\":{\"content\":\"cut")).isInstanceOf(ChunkReader.Malformed.class);
    assertThatThrownBy(() -> read("{\"a\":1} {\"b\":2}")).isInstanceOf(ChunkReader.Malformed.class);
    assertThatThrownBy(() -> read("{\"choices\":{\"delta\":{}}}"))
        .isInstanceOf(ChunkReader.Malformed.class)
        .hasMessageContaining("not an array");
    assertThatThrownBy(() -> read("{\"choices\":[{\"delta\":\"text\"}]}"))
        .isInstanceOf(ChunkReader.Malformed.class)
        .hasMessageContaining("choices[0].delta");
    assertThatThrownBy(() -> read("{\"choices\":[7]}")).isInstanceOf(ChunkReader.Malformed.class);
  }

  @Test
  void readsToolCallDeltasByIndexWithTheirIdAndNameWhenSent() throws Exception {
    read(
        "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\","
            + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"ci\"}},"
            + "{\"index\":1,\"function\":{\"arguments\":\"ty\"}}]},\"finish_reason\":null}]}");

    assertThat(reader.content).isNull();
    assertThat(reader.toolCalls)
        .containsExactly(
            new ChunkReader.ToolCallPart(0, "call_a", "weather", "{\"ci"),
            new ChunkReader.ToolCallPart(1, null, null, "ty"));

    read("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}");
    assertThat(reader.toolCalls).isEmpty();
  }

  @Test
  void readsTheToolCallsOfAWholeMessageByTheirPlace() throws Exception {
    read(
        "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
            + "{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
            + "{\"id\":\"c2\",\"type\":\"function\",\"function\":{\"name\":\"g\",\"arguments\":\"[]\"}}]},"
            + "\"finish_reason\":\"tool_calls\"}]}");

    assertThat(reader.message).isTrue();
    assertThat(reader.finishReason).isEqualTo("tool_calls");
    assertThat(reader.toolCalls)
        .containsExactly(
            new ChunkReader.ToolCallPart(0, "c1", "f", "{}"), new ChunkReader.ToolCallPart(1, "c2", "g", "[]"));
  }
}
