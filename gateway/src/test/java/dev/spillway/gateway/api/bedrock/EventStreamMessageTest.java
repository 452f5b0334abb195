package dev.spillway.gateway.api.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.gateway.api.bedrock.EventStreamMessage.Header;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;

/**
 * The encoder against the event-stream test vectors that awslabs publish with their encoders (the
 * "positive" encoded vectors of aws-c-event-stream, also in aws-sdk-js-v3's eventstream marshaller
 * fixtures and botocore's test_eventstream.py), byte for byte; and against the AWS SDK for Java's own
 * decoder, which is what Bedrock callers on Java read frames with.
 */
class EventStreamMessageTest {

  private static final byte[] FOO_BAR = "{'foo':'bar'}".getBytes(StandardCharsets.UTF_8);

  @Test
  void encodesTheEmptyMessageVector() {
    assertThat(new EventStreamMessage(List.of(), new byte[0]).encode())
        .isEqualTo(bytes(0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235, 125, 152, 200, 255));
  }

  @Test
  void encodesThePayloadWithoutHeadersVector() {
    assertThat(new EventStreamMessage(List.of(), FOO_BAR).encode())
        .isEqualTo(
            bytes(0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97,
                114, 39, 125, 195, 101, 57, 54));
  }

  @Test
  void encodesTheOneStringHeaderVector() {
    assertThat(
            new EventStreamMessage(List.of(Header.string("content-type", "application/json")), FOO_BAR)
                .encode())
        .isEqualTo(
            bytes(0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116, 45,
                116, 121, 112, 101, 7, 0, 16, 97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106,
                115, 111, 110, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 141, 156, 8,
                177));
  }

  @Test
  void encodesTheInt32HeaderVector() {
    assertThat(new EventStreamMessage(List.of(Header.int32("event-id", 0x0000a00c)), FOO_BAR).encode())
        .isEqualTo(
            bytes(0, 0, 0, 43, 0, 0, 0, 14, 52, 139, 236, 123, 8, 101, 118, 101, 110, 116, 45, 105, 100, 4,
                0, 0, 160, 12, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 211, 137, 2,
                133));
  }

  @Test
  void bedrockChunkHeadersTakeSeventyFiveBytes() {
    byte[] frame = BedrockStream.event("chunk", "{}");

    assertThat(ByteBuffer.wrap(frame).getInt(4)).isEqualTo(0x4B);
    assertThat(ByteBuffer.wrap(frame).getInt(0)).isEqualTo(frame.length).isEqualTo(16 + 75 + 2);
  }

  @Test
  void everyHeaderTypeDecodesWithTheAwsSdksDecoder() {
    UUID uuid = UUID.fromString("2c38a4a5-bd0a-4a21-a7e4-7e8a6c5b0e9d");
    byte[] payload = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] frame =
        new EventStreamMessage(
                List.of(
                    Header.bool("yes", true), Header.bool("no", false), Header.int8("byte", (byte) -3),
                    Header.int16("short", (short) 1234), Header.int32("int", -56789),
                    Header.int64("long", 1L << 40), Header.bytes("bytes", new byte[] {1, 2, 3}),
                    Header.string("string", "héllo"), Header.timestamp("time", 1_700_000_000_123L),
                    Header.uuid("uuid", uuid)),
                payload)
            .encode();

    Message decoded = Message.decode(ByteBuffer.wrap(frame));

    Map<String, HeaderValue> expected = new LinkedHashMap<>();
    expected.put("yes", HeaderValue.fromBoolean(true));
    expected.put("no", HeaderValue.fromBoolean(false));
    expected.put("byte", HeaderValue.fromByte((byte) -3));
    expected.put("short", HeaderValue.fromShort((short) 1234));
    expected.put("int", HeaderValue.fromInteger(-56789));
    expected.put("long", HeaderValue.fromLong(1L << 40));
    expected.put("bytes", HeaderValue.fromByteArray(new byte[] {1, 2, 3}));
    expected.put("string", HeaderValue.fromString("héllo"));
    expected.put("time", HeaderValue.fromTimestamp(Instant.ofEpochMilli(1_700_000_000_123L)));
    expected.put("uuid", HeaderValue.fromUuid(uuid));
    assertThat(decoded.getHeaders()).containsExactlyEntriesOf(expected);
    assertThat(decoded.getPayload()).isEqualTo(payload);
    // The SDK's encoder writes the same bytes.
    assertThat(new Message(expected, payload).toByteBuffer().array()).isEqualTo(frame);
  }

  @Test
  void refusesAHeaderNameOverTwoHundredFiftyFiveBytes() {
    assertThatThrownBy(() -> Header.string("n".repeat(256), "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: 1 to 255 bytes");
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
