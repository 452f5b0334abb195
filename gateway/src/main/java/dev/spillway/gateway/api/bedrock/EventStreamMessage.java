package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * One message of an AWS event stream ({@code application/vnd.amazon.eventstream}, the Smithy
 * "Amazon Event Stream" specification): what Bedrock's streaming calls send, one message per event.
 *
 * <pre>
 * total length u32 | headers length u32 | prelude CRC32 | headers | payload | message CRC32
 * </pre>
 *
 * All integers are big-endian; both CRCs are CRC-32 (IEEE); the prelude CRC covers the first eight
 * bytes, the message CRC every byte before it, the prelude CRC included. A header is its name's length
 * (one byte), its UTF-8 name, a type byte and the value in that type's encoding.
 *
 * <p>Implementation notes. {@link #encode} sizes the frame exactly and writes it into one array, so a
 * frame goes out in one write: decoders buffer until they hold a whole frame, and a frame split over
 * writes only delays the client.
 */
public record EventStreamMessage(List<Header> headers, byte[] payload) {

  /** Bytes of a message besides its headers and payload: prelude, prelude CRC and message CRC. */
  static final int OVERHEAD = 16;
  /** The most header bytes decoders accept (botocore, aws-eventstream-java: 128 KiB). */
  static final int MAX_HEADERS_BYTES = 128 * 1024;
  /** The most payload bytes the specification allows (24 MiB). */
  static final int MAX_PAYLOAD_BYTES = 24 * 1024 * 1024;

  public EventStreamMessage {
    headers = List.copyOf(requireNonNull(headers, "headers"));
    requireNonNull(payload, "payload");
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload: " + payload.length + " bytes (expected: at most " + MAX_PAYLOAD_BYTES + ")");
    }
  }

  /** The frame, byte for byte. */
  public byte[] encode() {
    return frame(headersBlock(headers), payload);
  }

  /**
   * The encoded headers of a message, in order: what {@link #frame} takes, so that a stream whose
   * messages share their headers encodes them once.
   */
  public static byte[] headersBlock(List<Header> headers) {
    int length = 0;
    for (Header header : headers) {
      length += header.encodedLength();
    }
    if (length > MAX_HEADERS_BYTES) {
      throw new IllegalArgumentException(
          "headers: " + length + " bytes (expected: at most " + MAX_HEADERS_BYTES + ")");
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (Header header : headers) {
      header.writeTo(out);
    }
    return out.array();
  }

  /** The frame of a message whose headers {@link #headersBlock} encoded. */
  public static byte[] frame(byte[] headersBlock, byte[] payload) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload: " + payload.length + " bytes (expected: at most " + MAX_PAYLOAD_BYTES + ")");
    }
    int total = OVERHEAD + headersBlock.length + payload.length;
    ByteBuffer out = ByteBuffer.allocate(total);
    out.putInt(total).putInt(headersBlock.length);
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, 8);
    out.putInt((int) crc.getValue());
    out.put(headersBlock).put(payload);
    crc.reset();
    crc.update(out.array(), 0, total - 4);
    out.putInt((int) crc.getValue());
    return out.array();
  }

  /**
   * One typed header. The type codes are the specification's: 0 true, 1 false, 2 byte, 3 int16,
   * 4 int32, 5 int64, 6 byte array, 7 string, 8 timestamp (milliseconds), 9 UUID.
   */
  public static final class Header {

    private final byte[] name;
    private final byte type;
    /** The value's bytes after the type byte, length prefix included for arrays and strings. */
    private final byte[] value;

    private Header(String name, int type, byte[] value) {
      this.name = requireNonNull(name, "name").getBytes(StandardCharsets.UTF_8);
      if (this.name.length < 1 || this.name.length > 255) {
        throw new IllegalArgumentException(
            "header name: " + name + " (expected: 1 to 255 bytes of UTF-8)");
      }
      this.type = (byte) type;
      this.value = value;
    }

    public static Header bool(String name, boolean value) {
      return new Header(name, value ? 0 : 1, new byte[0]);
    }

    public static Header int8(String name, byte value) {
      return new Header(name, 2, new byte[] {value});
    }

    public static Header int16(String name, short value) {
      return new Header(name, 3, ByteBuffer.allocate(2).putShort(value).array());
    }

    public static Header int32(String name, int value) {
      return new Header(name, 4, ByteBuffer.allocate(4).putInt(value).array());
    }

    public static Header int64(String name, long value) {
      return new Header(name, 5, ByteBuffer.allocate(8).putLong(value).array());
    }

    public static Header bytes(String name, byte[] value) {
      return new Header(name, 6, prefixed(name, value));
    }

    public static Header string(String name, String value) {
      return new Header(name, 7, prefixed(name, requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8)));
    }

    public static Header timestamp(String name, long epochMillis) {
      return new Header(name, 8, ByteBuffer.allocate(8).putLong(epochMillis).array());
    }

    public static Header uuid(String name, UUID value) {
      return new Header(
          name, 9,
          ByteBuffer.allocate(16)
              .putLong(value.getMostSignificantBits())
              .putLong(value.getLeastSignificantBits())
              .array());
    }

    public String name() {
      return new String(name, StandardCharsets.UTF_8);
    }

    private static byte[] prefixed(String name, byte[] value) {
      if (value.length > 0xFFFF) {
        throw new IllegalArgumentException(
            "header " + name + ": " + value.length + " bytes (expected: at most 65535)");
      }
      return ByteBuffer.allocate(2 + value.length).putShort((short) value.length).put(value).array();
    }

    int encodedLength() {
      return 1 + name.length + 1 + value.length;
    }

    void writeTo(ByteBuffer out) {
      out.put((byte) name.length).put(name).put(type).put(value);
    }
  }
}
