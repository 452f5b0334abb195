package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSE reader on the framings OpenAI-compatible servers actually send, split anywhere. */
class UpstreamSseParserTest {

  @Test
  void readsOpenAiFramingWithLfCrlfAndCrLineEnds() {
    String lf = "data: {\"a\":1}\n\ndata: [DONE]\n\n";
    String crlf = "data: {\"a\":1}\r\n\r\ndata: [DONE]\r\n\r\n";
    String cr = "data: {\"a\":1}\r\rdata: [DONE]\r\r";

    assertThat(parse(lf)).containsExactly("{\"a\":1}", "[DONE]");
    assertThat(parse(crlf)).containsExactly("{\"a\":1}", "[DONE]");
    assertThat(parse(cr)).containsExactly("{\"a\":1}", "[DONE]");
  }

  @Test
  void acceptsDataWithoutTheSpaceAndSkipsCommentsAndOtherFields() {
    String stream = ": keep-alive\n\nevent: chunk\nid: 7\nretry: 10\ndata:{\"b\":2}\n\ndata:  two spaces\n\n";

    assertThat(parse(stream)).containsExactly("{\"b\":2}", " two spaces");
  }

  @Test
  void joinsMultiLineDataWithLineFeeds() {
    assertThat(parse("data: {\"c\":\ndata: 3}\n\n")).containsExactly("{\"c\":\n3}");
  }

  @Test
  void keepsUtf8AndCrlfIntactWhenChunksSplitThemAnywhere() {
    String stream = "data: {\"t\":\"é漢🙂\"}\r\n\r\ndata: [DONE]\r\n\r\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);

    for (int size = 1; size <= 4; size++) {
      SseParser parser = new SseParser();
      List<String> events = new ArrayList<>();
      for (int i = 0; i < bytes.length; i += size) {
        assertThat(parser.feed(Buffer.buffer(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size))), strings(events)))
            .isTrue();
      }
      assertThat(parser.finish(strings(events))).isTrue();
      assertThat(events).as("chunks of %d bytes", size).containsExactly("{\"t\":\"é漢🙂\"}", "[DONE]");
    }
  }

  @Test
  void anyChunkingOfAStreamGivesTheEventsOfTheWholeStream() {
    java.util.Random random = new java.util.Random(7);
    String[] ends = {"\n", "\r\n", "\r"};
    for (int round = 0; round < 200; round++) {
      StringBuilder stream = new StringBuilder();
      for (int e = 0; e < 1 + random.nextInt(6); e++) {
        if (random.nextInt(4) == 0) {
          stream.append(": keep-alive").append(ends[random.nextInt(3)]);
        }
        for (int l = 0; l < 1 + random.nextInt(3); l++) {
          stream.append(random.nextBoolean() ? "data: " : "data:").append("{\"n\":").append(random.nextInt(1000))
              .append("}").append(ends[random.nextInt(3)]);
        }
        stream.append(ends[random.nextInt(3)]);
      }
      byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
      List<String> whole = new ArrayList<>();
      SseParser one = new SseParser();
      assertThat(one.feed(Buffer.buffer(bytes), strings(whole))).isTrue();
      assertThat(one.finish(strings(whole))).isTrue();

      List<String> split = new ArrayList<>();
      SseParser parts = new SseParser();
      for (int i = 0; i < bytes.length; ) {
        int size = random.nextInt(9); // empty chunks too
        int end = Math.min(bytes.length, i + size);
        assertThat(parts.feed(Buffer.buffer(Arrays.copyOfRange(bytes, i, end)), strings(split))).isTrue();
        i = end;
      }
      assertThat(parts.finish(strings(split))).isTrue();
      assertThat(split).as(stream.toString()).isEqualTo(whole);
    }
  }

  @Test
  void handsOverAnEventTheStreamEndedInWithoutItsBlankLine() {
    SseParser parser = new SseParser();
    List<String> events = new ArrayList<>();

    parser.feed(Buffer.buffer("data: [DONE]"), strings(events));
    assertThat(events).isEmpty();
    parser.finish(strings(events));

    assertThat(events).containsExactly("[DONE]");
  }

  @Test
  void refusesALineOverTheLimitInsteadOfGrowingWithoutBound() {
    SseParser parser = new SseParser();
    byte[] huge = new byte[SseParser.MAX_EVENT_BYTES + 1];
    Arrays.fill(huge, (byte) 'x');

    assertThat(parser.feed(Buffer.buffer("data: "), (d, n) -> {})).isTrue();
    assertThat(parser.feed(Buffer.buffer(huge), (d, n) -> {})).isFalse();
  }

  private static List<String> parse(String stream) {
    SseParser parser = new SseParser();
    List<String> events = new ArrayList<>();
    assertThat(parser.feed(Buffer.buffer(stream), strings(events))).isTrue();
    assertThat(parser.finish(strings(events))).isTrue();
    return events;
  }

  /** Collects each event's data as text. */
  private static SseParser.Events strings(List<String> events) {
    return (data, length) -> events.add(new String(data, 0, length, StandardCharsets.UTF_8));
  }
}
