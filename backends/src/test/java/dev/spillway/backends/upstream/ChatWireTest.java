package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.OutputSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatWireTest {

  private static final long NOW = Instant.parse("2026-11-25T12:00:00Z").toEpochMilli();

  @Test
  void readsAnUpstreamsRetryHintInEitherHeaderAndEveryForm() {
    assertThat(ChatWire.retryAfter(null, "7", NOW)).isEqualTo(Duration.ofSeconds(7));
    assertThat(ChatWire.retryAfter(null, " 1.5 ", NOW)).isEqualTo(Duration.ofMillis(1500));
    assertThat(ChatWire.retryAfter("250", "7", NOW)).as("milliseconds win").isEqualTo(Duration.ofMillis(250));
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.ofEpochMilli(NOW + 30_000).atZone(ZoneOffset.UTC));
    assertThat(ChatWire.retryAfter(null, date, NOW)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void ignoresAHintThatIsMissingUnreadableOrNotAhead() {
    assertThat(ChatWire.retryAfter(null, null, NOW)).isNull();
    assertThat(ChatWire.retryAfter(null, "soon", NOW)).isNull();
    assertThat(ChatWire.retryAfter("abc", null, NOW)).isNull();
    assertThat(ChatWire.retryAfter(null, "0", NOW)).isNull();
    assertThat(ChatWire.retryAfter("-5", null, NOW)).isNull();
    String past =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            Instant.ofEpochMilli(NOW - 1000).atZone(ZoneOffset.UTC));
    assertThat(ChatWire.retryAfter(null, past, NOW)).isNull();
  }

  @Test
  void mapsToolCallsToTheirOwnFinishReason() {
    assertThat(ChatWire.finishReason("tool_calls")).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(ChatWire.finishReason("function_call")).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(ChatWire.finishReason("length")).isEqualTo(FinishReason.LENGTH);
    assertThat(ChatWire.finishReason("content_filter")).isEqualTo(FinishReason.STOP);
  }

  @Test
  void sendsTheClientsConversationAndToolsWhenThereAreAny() {
    InferenceRequest plain = UpstreamHarness.request("r", "m", 8, 4, List.of());
    String tools =
        "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[],\"tool_choice\":\"auto\"";
    InferenceRequest withTools = plain.withOutput(OutputSpec.TEXT.withPassThrough(tools));

    String body = ChatWire.requestBody(plain, "up").toString();
    String passed = ChatWire.requestBody(withTools, "up").toString();

    assertThat(body).startsWith("{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":");
    assertThat(passed).startsWith("{\"model\":\"up\"," + tools + ",\"stream\":true,");
  }
}
