package dev.spillway.loadtest.http;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An incremental {@code text/event-stream} reader that hands over each event's data. WHATWG rules, as
 * the OpenAI SDKs read streams: lines end in LF, CRLF or CR; {@code data:} with or without one space;
 * several {@code data} lines join with LF; comments and other fields are ignored; a blank line ends an
 * event. Chunks may split anything, UTF-8 sequences included: bytes are decoded only when their line
 * ends. A line over {@link #MAX_LINE_BYTES} makes {@link #feed} return false.
 *
 * <p>Not thread-safe: one per response.
 */
final class SseDecoder {

  static final int MAX_LINE_BYTES = 8 << 20;

  private byte[] line = new byte[256];
  private int length;
  private boolean afterCr;
  private StringBuilder data;

  /** Reads a chunk, passing each completed event's data on; false when a line is too long. */
  boolean feed(Buffer chunk, Consumer<String> events) {
    int n = chunk.length();
    for (int i = 0; i < n; i++) {
      byte b = chunk.getByte(i);
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue;
        }
      }
      if (b == '\n' || b == '\r') {
        afterCr = b == '\r';
        endLine(events);
      } else {
        if (length == MAX_LINE_BYTES) {
          return false;
        }
        if (length == line.length) {
          line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, line.length * 2));
        }
        line[length++] = b;
      }
    }
    return true;
  }

  /** The stream ended: an unterminated last event is handed over too (some servers just close). */
  void finish(Consumer<String> events) {
    if (length > 0) {
      endLine(events);
    }
    dispatch(events);
  }

  private void endLine(Consumer<String> events) {
    if (length == 0) {
      dispatch(events);
      return;
    }
    String text = new String(line, 0, length, StandardCharsets.UTF_8);
    length = 0;
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    if (!field.equals("data")) {
      return;
    }
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (data == null) {
      data = new StringBuilder(value);
    } else {
      data.append('\n').append(value);
    }
  }

  private void dispatch(Consumer<String> events) {
    if (data != null) {
      String event = data.toString();
      data = null;
      events.accept(event);
    }
  }
}
