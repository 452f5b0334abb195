package dev.spillway.backends.upstream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An incremental reader of {@code text/event-stream} bodies that hands over the {@code data} of each
 * event. Follows the WHATWG rules consumers of OpenAI streams follow: lines end in LF, CRLF or CR;
 * {@code data:} with or without the space; several {@code data} lines join with LF; comments and other
 * fields are skipped; a blank line ends an event. Unlike WHATWG it also hands over an event the stream
 * ended in without its blank line, since some servers close right after {@code data: [DONE]}.
 *
 * <p>Chunks may split lines, CRLF pairs and UTF-8 sequences anywhere: bytes are kept until their line
 * ends and only then decoded. A line or an event over {@link #MAX_EVENT_BYTES} makes the stream
 * unusable rather than growing without bound.
 */
final class SseParser {

  static final int MAX_EVENT_BYTES = 1 << 20;

  private byte[] line = new byte[512];
  private int length;
  /** The last byte was CR: an LF right after it belongs to the same line end. */
  private boolean afterCr;
  /** The current event's data, or null before its first {@code data} line. */
  private StringBuilder data;

  /**
   * Reads {@code chunk}, passing each completed event's data to {@code events}. Returns false once a
   * line or event is over the limit; the stream should then be abandoned.
   */
  boolean feed(Buffer chunk, Consumer<String> events) {
    byte[] bytes = chunk.getBytes();
    for (byte b : bytes) {
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue;
        }
      }
      if (b == '\r' || b == '\n') {
        afterCr = b == '\r';
        if (!endLine(events)) {
          return false;
        }
      } else {
        if (length == MAX_EVENT_BYTES) {
          return false;
        }
        if (length == line.length) {
          line = Arrays.copyOf(line, Math.min(MAX_EVENT_BYTES, line.length * 2));
        }
        line[length++] = b;
      }
    }
    return true;
  }

  /** The stream ended: hands over what is left, as if a blank line had followed. */
  boolean finish(Consumer<String> events) {
    if (length > 0 && !endLine(events)) {
      return false;
    }
    dispatch(events);
    return true;
  }

  private boolean endLine(Consumer<String> events) {
    if (length == 0) {
      dispatch(events);
      return true;
    }
    String text = new String(line, 0, length, StandardCharsets.UTF_8);
    length = 0;
    if (text.charAt(0) == ':') {
      return true; // a comment, such as a keep-alive
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    if (!field.equals("data")) {
      return true; // event, id, retry: nothing OpenAI streams depend on
    }
    int start = colon < 0 ? text.length() : colon + 1;
    if (start < text.length() && text.charAt(start) == ' ') {
      start++;
    }
    if (data == null) {
      data = new StringBuilder(text.length() - start);
    } else {
      data.append('\n');
    }
    data.append(text, start, text.length());
    return data.length() <= MAX_EVENT_BYTES;
  }

  private void dispatch(Consumer<String> events) {
    if (data != null) {
      String event = data.toString();
      data = null;
      events.accept(event);
    }
  }
}
