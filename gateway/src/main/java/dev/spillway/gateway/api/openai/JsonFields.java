package dev.spillway.gateway.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.wire.JsonText;

/**
 * Reading typed fields out of a JSON request, each failure an {@link OpenAiError} naming the field.
 * JSON {@code null} means absent throughout.
 */
final class JsonFields {

  private JsonFields() {}

  static String requiredString(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      throw missing(field, "a string");
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw invalidType(field, value, "a non-empty string");
    }
    return value.asText();
  }

  static String optionalString(JsonNode object, String field, String param) {
    JsonNode value = object.get(field);
    if (!present(value)) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalidType(param, value, "a string or null");
    }
    return value.asText();
  }

  static boolean bool(JsonNode object, String field, boolean fallback) {
    JsonNode value = object.get(field);
    if (!present(value)) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw invalidType(field, value, "true, false or null");
    }
    return value.booleanValue();
  }

  static double number(JsonNode root, String field, double fallback, double min, double max) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw invalidType(field, value, "a number from " + JsonText.decimal(min) + " to "
          + JsonText.decimal(max) + " or null");
    }
    double number = value.doubleValue();
    if (number < min || number > max) {
      throw OpenAiError.invalid(
          field, number < min ? "decimal_below_min_value" : "decimal_above_max_value",
          field + ": " + describe(value) + " (expected: " + JsonText.decimal(min) + " to "
              + JsonText.decimal(max) + ")");
    }
    return number;
  }

  static boolean present(JsonNode value) {
    return value != null && !value.isNull() && !value.isMissingNode();
  }

  static OpenAiError missing(String field, String expected) {
    return OpenAiError.invalid(
        field, "missing_required_parameter", field + ": missing (expected: " + expected + ")");
  }

  static OpenAiError invalidType(String field, JsonNode value, String expected) {
    return invalidType(field, value, expected, field);
  }

  static OpenAiError invalidType(String param, JsonNode value, String expected, String field) {
    return OpenAiError.invalid(
        param, "invalid_type", field + ": " + describe(value) + " (expected: " + expected + ")");
  }

  /** {@code input[3][2]} → {@code input}: OpenAI names the top-level field in {@code param}. */
  static String paramOf(String field) {
    int bracket = field.indexOf('[');
    return bracket < 0 ? field : field.substring(0, bracket);
  }

  /** A short description of a value for messages: the value itself if scalar, else its type. */
  static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "missing";
    }
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "an array";
    }
    return abbreviate(value.toString());
  }

  static String abbreviate(String text) {
    return text.length() > 64 ? text.substring(0, 61) + "..." : text;
  }

  static boolean printable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return abbreviate(newline < 0 ? message : message.substring(0, newline));
  }
}
