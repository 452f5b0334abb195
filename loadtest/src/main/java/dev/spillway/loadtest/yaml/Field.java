package dev.spillway.loadtest.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.loadtest.Flags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One value of a YAML input file (an experiment, a plan) with its path, so that every error names the field in one format:
 * {@code workload.rates[2]: abc (expected: a number > 0)}, {@code fleet: missing (expected: ...)}.
 */
public final class Field {


  private final String path;
  private final JsonNode json;

  public Field(String path, JsonNode json) {
    this.path = path;
    this.json = json;
  }

  /** Where the value is in the file: {@code workload.slo.ttft}, {@code candidates[2]}. */
  public String path() {
    return path;
  }

  /** The value itself; null or a missing node when absent. */
  public JsonNode json() {
    return json;
  }

  public boolean missing() {
    return json == null || json.isMissingNode() || json.isNull();
  }

  public Field child(String key) {
    JsonNode value = json == null || !json.isObject() ? null : json.get(key);
    return new Field(path.isEmpty() ? key : path + "." + key, value);
  }

  /** The elements of a list; a missing field has none. */
  public List<Field> elements(String expected) {
    if (missing()) {
      return List.of();
    }
    if (!json.isArray()) {
      throw invalid(expected);
    }
    List<Field> elements = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      elements.add(new Field(path + "[" + i + "]", json.get(i)));
    }
    return elements;
  }

  /** The entries of a mapping, in file order; a missing field has none. */
  public Map<String, Field> entries(String expected) {
    Map<String, Field> entries = new LinkedHashMap<>();
    if (missing()) {
      return entries;
    }
    if (!json.isObject()) {
      throw invalid(expected);
    }
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      entries.put(name, child(name));
    }
    return entries;
  }

  /** Fails on a key that is not one of {@code keys}, naming it and the keys allowed. */
  public void allowOnly(String... keys) {
    if (missing() || !json.isObject()) {
      return;
    }
    List<String> allowed = Arrays.asList(keys);
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new IllegalArgumentException(
            child(name).path + ": unknown field (expected one of: " + String.join(", ", keys) + ")");
      }
    }
  }

  public void requireMapping(String expected) {
    if (missing()) {
      throw missingField(expected);
    }
    if (!json.isObject()) {
      throw invalid(expected);
    }
  }

  public String text(String otherwise) {
    if (missing()) {
      return otherwise;
    }
    if (!json.isValueNode()) {
      throw invalid("a single value");
    }
    return json.asText().trim();
  }

  public String requiredText(String expected) {
    if (missing()) {
      throw missingField(expected);
    }
    if (!json.isValueNode() || json.asText().isBlank()) {
      throw invalid(expected);
    }
    return json.asText().trim();
  }

  public double positiveDouble(String expected) {
    if (missing()) {
      throw missingField(expected);
    }
    if (json.isNumber() || json.isTextual()) {
      try {
        double value = Double.parseDouble(json.asText().trim());
        if (value > 0 && Double.isFinite(value)) {
          return value;
        }
      } catch (NumberFormatException e) {
        // one message below
      }
    }
    throw invalid(expected);
  }

  public double fraction(double otherwise) {
    if (missing()) {
      return otherwise;
    }
    if (json.isNumber() && json.asDouble() >= 0 && json.asDouble() <= 1) {
      return json.asDouble();
    }
    throw invalid("a number from 0 to 1");
  }

  public long positiveLong(long otherwise) {
    if (missing()) {
      return otherwise;
    }
    if (json.isIntegralNumber() && json.canConvertToLong() && json.asLong() > 0) {
      return json.asLong();
    }
    throw invalid("a whole number > 0");
  }

  public long anyLong(long otherwise) {
    if (missing()) {
      return otherwise;
    }
    if (json.isIntegralNumber() && json.canConvertToLong()) {
      return json.asLong();
    }
    throw invalid("a whole number");
  }

  public boolean bool(boolean otherwise) {
    if (missing()) {
      return otherwise;
    }
    if (json.isBoolean()) {
      return json.asBoolean();
    }
    throw invalid("true or false");
  }

  /** A duration with a unit: {@code 250ms}, {@code 2s}, {@code 1.5m}, {@code 1h}; null when missing. */
  public Duration duration() {
    if (missing()) {
      return null;
    }
    Duration value = json.isTextual() ? parseDuration(json.asText()) : null;
    if (value == null || value.isZero()) {
      throw invalid("a duration > 0 with a unit, such as 250ms, 2s, 1.5m or 1h");
    }
    return value;
  }

  /** Parses {@code 250ms}, {@code 2s}, {@code 1.5m}, {@code 1h}; null when it is not one. */
  public static Duration parseDuration(String text) {
    return Flags.parseDuration(text, true);
  }

  public IllegalArgumentException invalid(String expected) {
    return new IllegalArgumentException(path + ": " + describe() + " (expected: " + expected + ")");
  }

  public IllegalArgumentException missingField(String expected) {
    return new IllegalArgumentException(path + ": missing (expected: " + expected + ")");
  }

  /** The value as a short text for messages. */
  public String describe() {
    if (missing()) {
      return "missing";
    }
    if (json.isValueNode()) {
      return json.asText();
    }
    String text = json.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
