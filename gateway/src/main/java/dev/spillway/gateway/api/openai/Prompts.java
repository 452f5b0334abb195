package dev.spillway.gateway.api.openai;

import static dev.spillway.gateway.api.openai.JsonFields.describe;
import static dev.spillway.gateway.api.openai.JsonFields.invalidType;
import static dev.spillway.gateway.api.openai.JsonFields.missing;
import static dev.spillway.gateway.api.openai.JsonFields.optionalString;
import static dev.spillway.gateway.api.openai.JsonFields.paramOf;
import static dev.spillway.gateway.api.openai.JsonFields.present;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The prompt of a request: chat messages, a completions prompt or embedding inputs, validated, with
 * their text and their token counts (cl100k_base). Chat is counted as the OpenAI cookbook does: 3 per
 * message, plus the tokens of its role, text content and name (+1 for a name), plus 3 priming the
 * reply; an assistant message's tool calls add 3 each plus their name and arguments. Tools and
 * response formats are counted by {@link PromptTokens}. Token-id prompts count one token per id.
 */
final class Prompts {

  static final int MAX_EMBEDDING_INPUTS = 2048;

  private static final Set<String> ROLES =
      Set.of("system", "developer", "user", "assistant", "tool", "function");
  private static final String PROMPT_SHAPES =
      "a string, an array of strings, an array of token ids or an array of arrays of token ids";

  private Prompts() {}

  /**
   * One chat message, as counted: role, its text content pieces, its name if any, and the tool calls
   * of an assistant message (each its function's name and its arguments, one after the other).
   */
  record Message(String role, List<String> texts, String name, List<String> calls) {
    Message(String role, List<String> texts, String name) {
      this(role, texts, name, List.of());
    }
  }

  static List<Message> messages(JsonNode messages) {
    if (!present(messages)) {
      throw missing("messages", "a non-empty array of messages");
    }
    if (!messages.isArray()) {
      throw invalidType("messages", messages, "a non-empty array of messages");
    }
    if (messages.isEmpty()) {
      throw OpenAiError.invalid(
          "messages", "empty_array", "messages: [] (expected: a non-empty array of messages)");
    }
    List<Message> parsed = new ArrayList<>(messages.size());
    // Field names such as messages[2].content[0] are built only for an error message.
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        throw invalidType(field(i), message, "a message object");
      }
      JsonNode roleNode = message.get("role");
      if (!present(roleNode)) {
        throw missing(field(i) + ".role", "system, developer, user, assistant or tool");
      }
      if (!roleNode.isTextual() || !ROLES.contains(roleNode.asText())) {
        String field = field(i);
        throw OpenAiError.invalid(
            field + ".role", "invalid_value",
            field + ".role: " + describe(roleNode) + " (expected: system, developer, user, assistant or tool)");
      }
      String role = roleNode.asText();
      List<String> texts;
      JsonNode content = message.get("content");
      if (!present(content)) {
        if (!role.equals("assistant")) {
          // Only an assistant message may carry tool_calls instead of content.
          throw missing(field(i) + ".content", "a string or an array of content parts");
        }
        texts = List.of(); // checked below: then it must carry tool_calls
      } else if (content.isTextual()) {
        texts = List.of(content.asText());
      } else if (content.isArray()) {
        texts = new ArrayList<>(content.size());
        for (int p = 0; p < content.size(); p++) {
          JsonNode part = content.get(p);
          if (!part.isObject()) {
            throw invalidType(partField(i, p), part, "a content part object");
          }
          JsonNode type = part.get("type");
          if (type == null || !type.isTextual()) {
            throw invalidType(partField(i, p) + ".type", type, "text, image_url, input_audio or file");
          }
          if (!type.asText().equals("text")) {
            continue; // images, audio and files carry no text to count
          }
          JsonNode text = part.get("text");
          if (text == null || !text.isTextual()) {
            throw invalidType(partField(i, p) + ".text", text, "a string");
          }
          texts.add(text.asText());
        }
      } else {
        throw invalidType(field(i) + ".content", content, "a string, an array of content parts or null");
      }
      JsonNode nameNode = message.get("name");
      String name = null;
      if (present(nameNode)) {
        name = optionalString(message, "name", field(i) + ".name");
      }
      if (role.equals("tool")) {
        JsonNode toolCallId = message.get("tool_call_id");
        if (!present(toolCallId)) {
          throw missing(field(i) + ".tool_call_id", "a string");
        }
        if (!toolCallId.isTextual()) {
          throw invalidType(field(i) + ".tool_call_id", toolCallId, "a string");
        }
      }
      List<String> calls = List.of();
      if (role.equals("assistant")) {
        calls = toolCalls(message.get("tool_calls"), field(i) + ".tool_calls");
        if (!present(content) && calls.isEmpty()) {
          throw missing(field(i) + ".content", "a string, an array of content parts, or tool_calls");
        }
      }
      parsed.add(new Message(role, texts, name, calls));
    }
    return parsed;
  }

  /** An assistant message's {@code tool_calls}: each function's name, then its arguments. */
  private static List<String> toolCalls(JsonNode calls, String field) {
    if (!present(calls)) {
      return List.of();
    }
    if (!calls.isArray()) {
      throw invalidType(field, calls, "an array of tool calls");
    }
    List<String> texts = new ArrayList<>(calls.size() * 2);
    for (int c = 0; c < calls.size(); c++) {
      String at = field + "[" + c + "]";
      JsonNode call = calls.get(c);
      if (!call.isObject()) {
        throw invalidType(at, call, "a tool call object");
      }
      JsonNode id = call.get("id");
      if (!present(id) || !id.isTextual()) {
        throw invalidType(at + ".id", id, "a string");
      }
      JsonNode function = call.get("function");
      if (!present(function) || !function.isObject()) {
        throw invalidType(at + ".function", function, "an object with name and arguments");
      }
      JsonNode name = function.get("name");
      if (!present(name) || !name.isTextual()) {
        throw invalidType(at + ".function.name", name, "a string");
      }
      JsonNode arguments = function.get("arguments");
      if (!present(arguments) || !arguments.isTextual()) {
        throw invalidType(at + ".function.arguments", arguments, "a string of JSON");
      }
      texts.add(name.asText());
      texts.add(arguments.asText());
    }
    return texts;
  }

  private static String field(int message) {
    return "messages[" + message + "]";
  }

  private static String partField(int message, int part) {
    return field(message) + ".content[" + part + "]";
  }

  static int chatTokens(List<Message> messages) {
    long tokens = PromptTokens.REPLY_PRIMING;
    for (Message message : messages) {
      tokens += PromptTokens.PER_MESSAGE + PromptTokens.countRole(message.role());
      for (String text : message.texts()) {
        tokens += PromptTokens.count(text);
      }
      if (message.name() != null) {
        tokens += PromptTokens.PER_NAME + PromptTokens.count(message.name());
      }
      for (int c = 0; c < message.calls().size(); c += 2) {
        tokens += PromptTokens.PER_TOOL_CALL + PromptTokens.count(message.calls().get(c))
            + PromptTokens.count(message.calls().get(c + 1));
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, tokens);
  }

  /** The messages' text contents, one line break between messages. */
  static String chatText(List<Message> messages) {
    int length = 0;
    for (Message message : messages) {
      length++;
      for (String piece : message.texts()) {
        length += piece.length();
      }
    }
    StringBuilder text = new StringBuilder(length);
    for (Message message : messages) {
      if (message.texts().isEmpty()) {
        continue;
      }
      if (text.length() > 0) {
        text.append('\n');
      }
      for (String piece : message.texts()) {
        text.append(piece);
      }
    }
    return text.toString();
  }

  /** One prompt or embedding input: text, or token ids (then {@code text} is their decoding). */
  static final class Input {
    private final String text;
    private final int[] ids;
    private int tokens = -1;

    Input(String text, int[] ids) {
      this.text = text;
      this.ids = ids;
    }

    static Input ofIds(int[] ids) {
      return new Input(PromptTokens.decode(ids), ids);
    }

    String text() {
      return text;
    }

    int tokens() {
      if (tokens < 0) {
        tokens = ids != null ? ids.length : PromptTokens.count(text);
      }
      return tokens;
    }

    /** What seeds this input's embedding vector: the text, or the ids as sent. */
    String key() {
      return ids != null ? "tokens:" + Arrays.toString(ids) : text;
    }
  }

  /**
   * Reads a completions {@code prompt} or embeddings {@code input}: a string, string[], int[] or
   * int[][]. Completions take one prompt per request ({@code many} false): the gateway answers with
   * one choice, so an array of several prompts is refused rather than answered with one.
   */
  static List<Input> inputs(JsonNode value, String field, boolean many) {
    if (!present(value)) {
      throw missing(field, PROMPT_SHAPES);
    }
    if (value.isTextual()) {
      return List.of(text(value, field, many));
    }
    if (!value.isArray()) {
      throw invalidType(field, value, PROMPT_SHAPES);
    }
    if (value.isEmpty()) {
      throw OpenAiError.invalid(field, "empty_array", field + ": [] (expected: " + PROMPT_SHAPES + ")");
    }
    JsonNode first = value.get(0);
    if (first.isNumber()) {
      return List.of(Input.ofIds(ids(value, field)));
    }
    if (value.size() > MAX_EMBEDDING_INPUTS) {
      throw OpenAiError.invalid(
          field, "array_above_max_length",
          field + ": " + value.size() + " inputs (expected: at most " + MAX_EMBEDDING_INPUTS + ")");
    }
    List<Input> inputs = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      String element = field + "[" + i + "]";
      JsonNode item = value.get(i);
      if (first.isTextual() && item.isTextual()) {
        inputs.add(text(item, element, many));
      } else if (first.isArray() && item.isArray()) {
        if (item.isEmpty()) {
          throw OpenAiError.invalid(
              field, "empty_array", element + ": [] (expected: a non-empty array of token ids)");
        }
        inputs.add(Input.ofIds(ids(item, element)));
      } else {
        throw invalidType(field, item, "every element alike: " + PROMPT_SHAPES, element);
      }
    }
    if (!many && inputs.size() > 1) {
      throw OpenAiError.invalid(
          field, "unsupported_value",
          field + ": an array of " + inputs.size()
              + " prompts (expected: one prompt; send one request per prompt)");
    }
    return inputs;
  }

  /** A text input; embeddings refuse empty strings, as OpenAI does. */
  private static Input text(JsonNode value, String element, boolean embeddings) {
    String text = value.asText();
    if (embeddings && text.isEmpty()) {
      throw OpenAiError.invalid(
          "input", "invalid_value", element + ": \"\" (expected: a non-empty string)");
    }
    return new Input(text, null);
  }

  private static int[] ids(JsonNode array, String field) {
    int[] ids = new int[array.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode id = array.get(i);
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
        throw OpenAiError.invalid(
            paramOf(field), "invalid_type",
            field + "[" + i + "]: " + describe(id) + " (expected: a token id, an integer >= 0)");
      }
      ids[i] = id.intValue();
    }
    return ids;
  }
}
