package dev.spillway.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of a gateway configuration with its path, for messages ({@code models[1].pools[0].replicas}):
 * typed reads that fail naming the field and what was expected. String values have environment
 * variables substituted, {@code ${NAME}} or {@code ${NAME:-default}}.
 */
final class ConfigNode {

  /** {@code ${NAME}} or {@code ${NAME:-default}}. */
  static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

  final String path;
  final JsonNode json;
  private final Function<String, String> environment;

  ConfigNode(String path, JsonNode json, Function<String, String> environment) {
    this.path = path;
    this.json = json;
    this.environment = environment;
  }

  /** The {@code i}-th element of this list. */
  ConfigNode element(int i) {
    return new ConfigNode(path + "[" + i + "]", json == null ? null : json.get(i), environment);
  }

  boolean missing() {
    return json == null || json.isMissingNode() || json.isNull();
  }

  ConfigNode child(String key) {
    JsonNode value = json == null || !json.isObject() ? null : json.get(key);
    return new ConfigNode(path.isEmpty() ? key : path + "." + key, value, environment);
  }

  void allowOnly(String... keys) {
    if (missing()) {
      return;
    }
    if (!json.isObject()) {
      throw new IllegalArgumentException(path + ": " + describe() + " (expected: a mapping)");
    }
    Set<String> allowed = Set.of(keys);
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(
            (path.isEmpty() ? "" : path + ".") + name + ": unknown (expected one of: "
                + String.join(", ", keys) + ")");
      }
    }
  }

  Map<String, ConfigNode> fields() {
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (missing()) {
      return out;
    }
    if (!(json instanceof ObjectNode)) {
      throw new IllegalArgumentException(path + ": " + describe() + " (expected: a mapping)");
    }
    json.fields().forEachRemaining(e -> out.put(e.getKey(), new ConfigNode(path + "." + e.getKey(), e.getValue(), environment)));
    return out;
  }

  String describe() {
    return missing() ? "missing" : json.isValueNode() ? json.asText() : json.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  String text(String fallback) {
    if (missing()) {
      return fallback;
    }
    if (!json.isValueNode()) {
      throw new IllegalArgumentException(path + ": " + describe() + " (expected: a string)");
    }
    return substitute(json.asText());
  }

  String requiredText() {
    String value = text(null);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(path + ": " + describe() + " (expected: a non-empty string)");
    }
    return value;
  }

  List<String> textList() {
    List<String> out = new ArrayList<>();
    if (missing()) {
      return out;
    }
    if (!json.isArray()) {
      throw new IllegalArgumentException(path + ": " + describe() + " (expected: a list of strings)");
    }
    for (int i = 0; i < json.size(); i++) {
      out.add(element(i).requiredText());
    }
    return out;
  }

  int integer(int fallback, int min, int max) {
    if (missing()) {
      return fallback;
    }
    String text = text(null);
    try {
      long value = Long.parseLong(text.trim());
      if (value < min || value > max) {
        throw new NumberFormatException();
      }
      return (int) value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          path + ": " + text + " (expected: an integer from " + min + " to " + max + ")");
    }
  }

  Duration duration(Duration fallback) {
    if (missing()) {
      return fallback;
    }
    String text = text(null).trim();
    Matcher m = DURATION.matcher(text);
    if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
      throw new IllegalArgumentException(
          path + ": " + text + " (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
    }
    double amount = Double.parseDouble(m.group(1));
    double nanosPerUnit;
    switch (m.group(2)) {
      case "ms":
        nanosPerUnit = 1e6;
        break;
      case "s":
        nanosPerUnit = 1e9;
        break;
      case "m":
        nanosPerUnit = 60e9;
        break;
      default:
        nanosPerUnit = 3600e9;
    }
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }

  /** A scalar as Java value (numbers stay numbers), a list as a list; strings substituted. */
  Object value() {
    if (json.isNumber()) {
      return json.numberValue();
    }
    if (json.isBoolean()) {
      return json.booleanValue();
    }
    if (json.isArray()) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < json.size(); i++) {
        out.add(element(i).value());
      }
      return out;
    }
    if (json.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, ConfigNode> e : fields().entrySet()) {
        out.put(e.getKey(), e.getValue().value());
      }
      return out;
    }
    return text(null);
  }

  private String substitute(String text) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = environment.apply(m.group(1));
      if (value == null) {
        if (m.group(2) == null) {
          throw new IllegalArgumentException(
              path + ": ${" + m.group(1) + "} is not set (expected: an environment variable, or ${"
                  + m.group(1) + ":-default})");
        }
        value = m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
