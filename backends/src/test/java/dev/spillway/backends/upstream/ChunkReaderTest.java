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

  private static final String HEAD =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":7,\"model\":\"m\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
  private static final String TAIL = "\"},\"logprobs\":null,\"finish_reason\":null}]}";

  /** What {@code r} finds in {@code length} bytes from {@code offset}, in one comparable line. */
  private static String found(ChunkReader r, byte[] bytes, int offset, int length) {
    try {
      r.read(bytes, offset, length);
    } catch (ChunkReader.Malformed e) {
      return "malformed";
    }
    return String.join(
        " | ", String.valueOf(r.content), String.valueOf(r.finishReason), String.valueOf(r.usage),
        String.valueOf(r.error), String.valueOf(r.message), String.valueOf(r.toolCalls));
  }

  /** Reads {@code json} inside a larger array, as a fresh reader would and as this one does. */
  private void readsAsAFreshParse(String json) {
    byte[] bytes = ("xx" + json + "yyy").getBytes(StandardCharsets.UTF_8);
    int length = bytes.length - 5;
    String expected = found(new ChunkReader(), bytes, 2, length);
    assertThat(found(reader, bytes, 2, length)).as(json).isEqualTo(expected);
  }

  @Test
  void aStreamOfChunksReadsAsEachChunkParsedAlone() throws Exception {
    String[] chunks = {
      HEAD.replace("\"delta\":{", "\"delta\":{\"role\":\"assistant\",") + TAIL,
      HEAD + "Hello" + TAIL,
      HEAD + " world" + TAIL,
      HEAD + TAIL,
      HEAD + "say \\\"hi\\\"" + TAIL, // an escaped quote: parsed
      HEAD + "line\\nbreak" + TAIL, // an escape: parsed
      HEAD + "caf\u00e9" + TAIL, // not ASCII: parsed
      HEAD + "x\",\"content\":\"y" + TAIL, // a quote in between: another member, parsed
      HEAD + "tab\there" + TAIL, // a raw control character: malformed
      HEAD + " again" + TAIL,
      HEAD + " more" + TAIL.replace("null}]}", "\"stop\"}]}"),
      HEAD + " more" + TAIL + "   ", // trailing whitespace: another tail, parsed
      "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}",
      "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}",
      HEAD + " after" + TAIL,
      HEAD + "{\"error\":1}" + TAIL,
    };
    for (String chunk : chunks) {
      readsAsAFreshParse(chunk);
    }
    // " world" and the empty string at least were read as the shape before them.
    assertThat(reader.parses).as("chunks parsed").isLessThanOrEqualTo(chunks.length - 2);
  }

  @Test
  void aStreamOfOneShapeIsParsedOnlyUntilItsShapeIsKnown() throws Exception {
    read(HEAD.replace("\"delta\":{", "\"delta\":{\"role\":\"assistant\",") + TAIL);
    for (int i = 0; i < 200; i++) {
      read(HEAD + " tok" + i + TAIL);
      assertThat(reader.content).isEqualTo(" tok" + i);
      assertThat(reader.finishReason).isNull();
    }
    assertThat(reader.parses).as("chunks parsed").isEqualTo(2);
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
