package dev.spillway.backends.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.Arrays;

/**
 * An incremental reader of {@code text/event-stream} bodies that hands over the {@code data} of each
 * event, as bytes. Follows the WHATWG rules consumers of OpenAI streams follow: lines end in LF, CRLF
 * or CR; {@code data:} with or without the space; several {@code data} lines join with LF; comments
 * and other fields are skipped; a blank line ends an event. Unlike WHATWG it also hands over an event
 * the stream ended in without its blank line, since some servers close right after
 * {@code data: [DONE]}.
 *
 * <p>Chunks may split lines, CRLF pairs and UTF-8 sequences anywhere: bytes are kept until their event
 * ends, and handed over undecoded (the reader of the event decodes them). The line and data buffers
 * are reused from event to event, so a long stream allocates nothing per event. A line or an event
 * over {@link #MAX_EVENT_BYTES} makes the stream unusable rather than growing without bound.
 */
final class SseParser {

  static final int MAX_EVENT_BYTES = 1 << 20;

  /** Receives one event's data: {@code length} bytes of {@code data}, valid only during the call. */
  @FunctionalInterface
  interface Events {
    void accept(byte[] data, int length);
  }

  private byte[] line = new byte[512];
  private int length;
  /** The last byte was CR: an LF right after it belongs to the same line end. */
  private boolean afterCr;
  /** The current event's data; {@code hasData} is false before its first {@code data} line. */
  private byte[] data = new byte[512];
  private int dataLength;
  private boolean hasData;

  /**
   * Reads {@code chunk}, passing each completed event's data to {@code events}. Returns false once a
   * line or event is over the limit; the stream should then be abandoned.
   */
  boolean feed(Buffer chunk, Events events) {
    // The read's own bytes, not a copy of them: runs between line ends are copied once, into the line.
    ByteBuf bytes = ((BufferInternal) chunk).getByteBuf();
    int i = bytes.readerIndex();
    int n = bytes.writerIndex();
    if (afterCr && i < n) {
      afterCr = false;
      if (bytes.getByte(i) == '\n') {
        i++;
      }
    }
    while (i < n) {
      int end = bytes.forEachByte(i, n - i, ByteProcessor.FIND_CRLF);
      if (end < 0) {
        return append(bytes, i, n - i); // the line goes on in the next chunk
      }
      if (!append(bytes, i, end - i) || !endLine(events)) {
        return false;
      }
      i = end + 1;
      if (bytes.getByte(end) == '\r') {
        if (i == n) {
          afterCr = true; // an LF that opens the next chunk ends no second line
        } else if (bytes.getByte(i) == '\n') {
          i++;
        }
      }
    }
    return true;
  }

  /** Adds {@code count} bytes of {@code bytes} from index {@code from} to the current line. */
  private boolean append(ByteBuf bytes, int from, int count) {
    if (count == 0) {
      return true;
    }
    if (length + count > MAX_EVENT_BYTES) {
      return false;
    }
    if (length + count > line.length) {
      line = Arrays.copyOf(line, Math.min(MAX_EVENT_BYTES, Math.max(line.length * 2, length + count)));
    }
    bytes.getBytes(from, line, length, count);
    length += count;
    return true;
  }

  /** The stream ended: hands over what is left, as if a blank line had followed. */
  boolean finish(Events events) {
    if (length > 0 && !endLine(events)) {
      return false;
    }
    dispatch(events);
    return true;
  }

  private boolean endLine(Events events) {
    if (length == 0) {
      dispatch(events);
      return true;
    }
    int n = length;
    length = 0;
    if (line[0] == ':') {
      return true; // a comment, such as a keep-alive
    }
    // The field name runs to the first colon (or the whole line): only "data" matters.
    boolean isData =
        n >= 4 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a'
            && (n == 4 || line[4] == ':');
    if (!isData) {
      return true; // event, id, retry: nothing OpenAI streams depend on
    }
    int start = Math.min(n, 5);
    if (start < n && line[start] == ' ') {
      start++;
    }
    int add = n - start + (hasData ? 1 : 0);
    if (dataLength + add > MAX_EVENT_BYTES) {
      return false;
    }
    if (dataLength + add > data.length) {
      data = Arrays.copyOf(data, Math.min(MAX_EVENT_BYTES, Math.max(data.length * 2, dataLength + add)));
    }
    if (hasData) {
      data[dataLength++] = '\n';
    }
    System.arraycopy(line, start, data, dataLength, n - start);
    dataLength += n - start;
    hasData = true;
    return true;
  }

  private void dispatch(Events events) {
    if (hasData) {
      int n = dataLength;
      hasData = false;
      dataLength = 0;
      events.accept(data, n);
    }
  }
}
