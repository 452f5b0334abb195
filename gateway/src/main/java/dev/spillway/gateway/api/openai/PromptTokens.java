package dev.spillway.gateway.api.openai;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.wire.OutputFields;
import java.util.List;
import java.util.Map;

/**
 * Prompt token counts with the cl100k_base BPE vocabulary (jtokkit). The registry and encoding are
 * created once and are thread-safe. The registry is jtokkit's lazy one: the default registry loads
 * every vocabulary (o200k_base among them) up front, about two seconds, where cl100k_base alone
 * takes a third of one; {@link #warmUp} loads it before the server listens. Text is encoded as ordinary text: a prompt that spells out
 * {@code <|endoftext|>} counts its characters, as OpenAI's servers do, instead of failing.
 */
final class PromptTokens {

  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  /** Tokens of each chat role name, counted once. */
  private static final int SYSTEM = count("system");
  private static final int DEVELOPER = count("developer");
  private static final int USER = count("user");
  private static final int ASSISTANT = count("assistant");
  private static final int TOOL = count("tool");

  /** The OpenAI cookbook's chat framing: every message, and the reply's priming. */
  static final int PER_MESSAGE = 3;
  static final int PER_NAME = 1;
  static final int REPLY_PRIMING = 3;
  /** Our framing of one tool call in an assistant message, as for a message (the cookbook has none). */
  static final int PER_TOOL_CALL = 3;

  /**
   * The OpenAI cookbook's counts for function definitions with cl100k_base models (gpt-4,
   * gpt-3.5-turbo): each function, the start of its properties, each property, an enum's start
   * (negative: the enum's tokens replace part of the property's line), each enum value, and the end
   * of all functions.
   */
  static final int FUNCTION_INIT = 10;
  static final int PROPERTIES_INIT = 3;
  static final int PROPERTY_KEY = 3;
  static final int ENUM_INIT = -3;
  static final int ENUM_ITEM = 3;
  static final int FUNCTIONS_END = 12;
  /** Our framing of a response format's schema, as for a message (the cookbook has none). */
  static final int RESPONSE_FORMAT = 3;

  private PromptTokens() {}

  /** Loads the vocabulary, which takes a few hundred milliseconds: call it off the event loop. */
  static void warmUp() {
    CL100K.countTokensOrdinary("warm up");
  }

  /**
   * Tokens of a chat role name: the fixed roles from their counts made when this class loaded its
   * vocabulary, anything else counted as text.
   */
  static int countRole(String role) {
    switch (role) {
      case "system":
        return SYSTEM;
      case "developer":
        return DEVELOPER;
      case "user":
        return USER;
      case "assistant":
        return ASSISTANT;
      case "tool":
        return TOOL;
      default:
        return count(role);
    }
  }

  /**
   * Tokens of the functions offered, by the cookbook's rule ("How to count tokens with tiktoken",
   * counting for chat completions with tools): per function {@link #FUNCTION_INIT} and the tokens of
   * {@code name:description} (without a final period); when it has properties
   * {@link #PROPERTIES_INIT}, and per property {@link #PROPERTY_KEY} and the tokens of
   * {@code key:type:description}, with an enum {@link #ENUM_INIT} and per value {@link #ENUM_ITEM} and
   * its tokens; {@link #FUNCTIONS_END} after the last function. The cookbook stops at the top-level
   * properties; here the properties of nested objects (and of array items) count by the same rule,
   * since the model sees them too.
   */
  static int tools(List<OutputFields.Function> functions) {
    if (functions.isEmpty()) {
      return 0;
    }
    long tokens = FUNCTIONS_END;
    for (OutputFields.Function f : functions) {
      tokens += FUNCTION_INIT + count(f.name() + ":" + withoutPeriod(f.description()));
      tokens += properties(f.parameters(), 0);
    }
    return (int) Math.min(Integer.MAX_VALUE, tokens);
  }

  private static long properties(JsonNode schema, int depth) {
    JsonNode properties = schema.get("properties");
    long tokens = 0;
    if (properties != null && properties.isObject() && !properties.isEmpty() && depth < 16) {
      tokens += PROPERTIES_INIT;
      for (Map.Entry<String, JsonNode> p : properties.properties()) {
        JsonNode property = p.getValue();
        tokens += PROPERTY_KEY;
        JsonNode values = property.get("enum");
        if (values != null && values.isArray()) {
          tokens += ENUM_INIT;
          for (JsonNode value : values) {
            tokens += ENUM_ITEM + count(value.isTextual() ? value.asText() : value.toString());
          }
        }
        JsonNode type = property.get("type");
        String typeText = type == null ? "" : type.isTextual() ? type.asText() : type.toString();
        tokens += count(p.getKey() + ":" + typeText + ":" + withoutPeriod(property.path("description").asText("")));
        tokens += properties(property, depth + 1);
        JsonNode items = property.get("items");
        if (items != null && items.isObject()) {
          tokens += properties(items, depth + 1);
        }
      }
    }
    return tokens;
  }

  /**
   * Tokens of a response format's JSON schema: {@link #RESPONSE_FORMAT} and the schema's compact JSON
   * (OpenAI publishes no rule; the model is shown the schema).
   */
  static int responseFormat(JsonNode schema) {
    return schema == null ? 0 : RESPONSE_FORMAT + count(schema.toString());
  }

  private static String withoutPeriod(String text) {
    return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
  }

  static int count(String text) {
    return text.isEmpty() ? 0 : CL100K.countTokensOrdinary(text);
  }

  /** The text of token ids, or the empty string when an id is outside the vocabulary. */
  static String decode(int[] tokens) {
    IntArrayList list = new IntArrayList(tokens.length);
    for (int token : tokens) {
      list.add(token);
    }
    try {
      return CL100K.decode(list);
    } catch (RuntimeException e) {
      return "";
    }
  }
}
