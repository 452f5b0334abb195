package dev.spillway.backends.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.spillway.backends.spi.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the few fields the gateway needs from one {@code chat.completion.chunk} (or one whole
 * {@code chat.completion}) with a streaming parser, straight from the bytes of the event: no text
 * copy and no tree per chunk. Everything else in the object is skipped.
 *
 * <p>One reader per exchange, reused for each event: {@link #read} resets what it found.
 *
 * <p>Implementation notes. A stream's content chunks are mostly one text with only the token's
 * string changed: the same id, model, index and nulls around it. After a chunk whose only find is a
 * content string of printable ASCII, the reader keeps the bytes before that string and after it (its
 * <em>shape</em>). A later chunk that starts and ends with exactly those bytes, and holds between them
 * printable ASCII with no quote and no backslash, is that same JSON with another string: its content
 * is those bytes, and everything else is what the parse of the shape found. Anything else is parsed.
 * A stream of 200 chunks is then parsed about twice.
 */
final class ChunkReader {

  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NONE = new byte[0];

  /** The object had a non-null {@code error} member. */
  boolean error;
  /** {@code usage}, when present with non-negative token counts; else null. */
  Usage usage;
  /** {@code choices[0].delta.content} (or {@code .message.content}), when a string; else null. */
  String content;
  /** {@code choices[0].finish_reason}, when a string; else null. */
  String finishReason;
  /** {@code choices[0]} held a {@code message} object (a whole {@code chat.completion}). */
  boolean message;
  /**
   * The {@code tool_calls} of the delta (or message), in order; empty when none. A delta's entries
   * name their call by {@code index}; a whole message's by their place in the array.
   */
  List<ToolCallPart> toolCalls = List.of();

  /**
   * One entry of {@code tool_calls}: the call's index, and what this chunk holds of it; the id and
   * name come once, with a call's first fragment; each null or empty when absent.
   */
  record ToolCallPart(int index, String id, String name, String arguments) {}

  /** The last shape's bytes up to its content string's opening quote, included; empty for none. */
  private byte[] shapeHead = NONE;
  /** The last shape's bytes from its content string's closing quote, included, to its end. */
  private byte[] shapeTail = NONE;
  private String shapeFinishReason;
  private boolean shapeMessage;
  /** Where the content string of the chunk being parsed starts (its opening quote); -1 if none. */
  private long contentAt;
  /** Chunks read with the JSON parser, rather than as the last shape. */
  int parses;

  /** Thrown for input that is not a JSON object, or whose {@code choices} are not shaped as chunks. */
  static final class Malformed extends Exception {
    Malformed(String reason) {
      super(reason, null, false, false);
    }
  }

  /** Reads {@code length} bytes of {@code data} from {@code offset}. */
  void read(byte[] data, int offset, int length) throws Malformed {
    if (shapeHead.length > 0 && readAsShape(data, offset, length)) {
      return;
    }
    parse(data, offset, length);
    if (!error && usage == null && toolCalls.isEmpty() && content != null && contentAt >= 0) {
      learnShape(data, offset, length);
    }
  }

  /** The chunk, when it is the last shape with another plain ASCII string for its content. */
  private boolean readAsShape(byte[] data, int offset, int length) {
    int head = shapeHead.length;
    int tail = shapeTail.length;
    int end = offset + length;
    if (length < head + tail
        || !Arrays.equals(data, offset, offset + head, shapeHead, 0, head)
        || !Arrays.equals(data, end - tail, end, shapeTail, 0, tail)
        || !plainAscii(data, offset + head, end - tail)) {
      return false;
    }
    error = false;
    usage = null;
    content = new String(data, offset + head, length - head - tail, StandardCharsets.ISO_8859_1);
    finishReason = shapeFinishReason;
    message = shapeMessage;
    toolCalls = List.of();
    return true;
  }

  /** Keeps the parsed chunk's bytes around its content string, if that string was plain ASCII. */
  private void learnShape(byte[] data, int offset, int length) {
    int quote = offset + (int) contentAt;
    int after = quote + 1 + content.length();
    if (quote < offset
        || after >= offset + length
        || data[quote] != '"'
        || data[after] != '"'
        || !plainAscii(data, quote + 1, after)) {
      return;
    }
    shapeHead = Arrays.copyOfRange(data, offset, quote + 1);
    shapeTail = Arrays.copyOfRange(data, after, offset + length);
    shapeFinishReason = finishReason;
    shapeMessage = message;
  }

  /** Printable ASCII without a quote or a backslash: JSON string content that is its own text. */
  private static boolean plainAscii(byte[] data, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = data[i];
      if (b < 0x20 || b == 0x7f || b == '"' || b == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Reads the chunk with the JSON parser. */
  private void parse(byte[] data, int offset, int length) throws Malformed {
    parses++;
    contentAt = -1;
    error = false;
    usage = null;
    content = null;
    finishReason = null;
    message = false;
    toolCalls = List.of();
    try (JsonParser p = JSON.createParser(data, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new Malformed("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "error":
            error = value != JsonToken.VALUE_NULL;
            p.skipChildren();
            break;
          case "usage":
            usage = value == JsonToken.START_OBJECT ? usage(p) : null;
            p.skipChildren();
            break;
          case "choices":
            if (value == JsonToken.START_ARRAY) {
              choices(p);
            } else if (value != JsonToken.VALUE_NULL) {
              throw new Malformed("choices is not an array");
            }
            break;
          default:
            p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new Malformed("not one JSON object");
      }
    } catch (IOException e) {
      String reason =
          e instanceof JsonProcessingException
              ? ((JsonProcessingException) e).getOriginalMessage()
              : e.getMessage();
      throw new Malformed("not JSON: " + reason);
    }
  }

  /** At START_ARRAY: reads the first choice, skips the rest; ends at END_ARRAY. */
  private void choices(JsonParser p) throws IOException, Malformed {
    JsonToken first = p.nextToken();
    if (first == JsonToken.END_ARRAY) {
      return;
    }
    if (first == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals("delta") || name.equals("message")) {
          if (value == JsonToken.START_OBJECT) {
            message |= name.equals("message");
            content(p);
          } else if (value != JsonToken.VALUE_NULL) {
            throw new Malformed("choices[0]." + name + " is not an object");
          }
        } else if (name.equals("finish_reason") && value == JsonToken.VALUE_STRING) {
          finishReason = p.getText();
        } else {
          p.skipChildren();
        }
      }
    } else if (first != JsonToken.VALUE_NULL) {
      throw new Malformed("choices[0] is not an object");
    }
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new Malformed("choices: unterminated");
      }
      p.skipChildren();
    }
  }

  /** At START_OBJECT of a delta or message: reads {@code content}; ends at END_OBJECT. */
  private void content(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("content") && value == JsonToken.VALUE_STRING) {
        contentAt = p.currentTokenLocation().getByteOffset();
        content = p.getText();
      } else if (name.equals("tool_calls") && value == JsonToken.START_ARRAY) {
        toolCalls = new ArrayList<>(1);
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY && t != null; t = p.nextToken()) {
          if (t == JsonToken.START_OBJECT) {
            toolCalls.add(toolCall(p, toolCalls.size()));
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
  }

  /** At START_OBJECT of one tool call; ends at its END_OBJECT. */
  private static ToolCallPart toolCall(JsonParser p, int position) throws IOException {
    int index = position;
    String id = null;
    String name = null;
    String arguments = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("index") && value == JsonToken.VALUE_NUMBER_INT) {
        index = p.getIntValue();
      } else if (field.equals("id") && value == JsonToken.VALUE_STRING) {
        id = p.getText();
      } else if (field.equals("function") && value == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String member = p.currentName();
          JsonToken v = p.nextToken();
          if (member.equals("name") && v == JsonToken.VALUE_STRING) {
            name = p.getText();
          } else if (member.equals("arguments") && v == JsonToken.VALUE_STRING) {
            arguments = p.getText();
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return new ToolCallPart(index, id, name, arguments);
  }

  /** At START_OBJECT of usage: the two counts when both are non-negative numbers; ends at END_OBJECT. */
  private static Usage usage(JsonParser p) throws IOException {
    long prompt = -1;
    long completion = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      boolean number = value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT;
      if (name.equals("prompt_tokens") && number) {
        prompt = p.getValueAsLong();
      } else if (name.equals("completion_tokens") && number) {
        completion = p.getValueAsLong();
      } else {
        p.skipChildren();
      }
    }
    return prompt < 0 || completion < 0 || prompt > Integer.MAX_VALUE || completion > Integer.MAX_VALUE
        ? null
        : new Usage((int) prompt, (int) completion);
  }
}
