package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
}
