package dev.spillway.backends.structured;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The subset of JSON Schema the emulated models generate instances of, and the check that refuses
 * anything outside it by name, as OpenAI's structured outputs do for the keywords they do not support.
 *
 * <p>Supported: {@code type} (one name or an array of names), {@code properties}, {@code required},
 * {@code additionalProperties} (a boolean or a schema), {@code items}, {@code enum}, {@code const},
 * {@code anyOf}, local {@code $ref} into {@code $defs} or {@code definitions} (recursion included),
 * {@code minItems}/{@code maxItems}, {@code minLength}/{@code maxLength}, {@code minimum},
 * {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum} and {@code format}
 * ({@code date-time}, {@code date}, {@code time}, {@code email}, {@code uuid}, {@code uri}; others
 * are accepted and ignored), and the annotations ({@code description}, {@code title}, …).
 * Refused by name: everything else, among them {@code pattern}, {@code allOf}, {@code oneOf},
 * {@code not}, {@code if}, {@code patternProperties}, {@code uniqueItems}, {@code multipleOf}.
 *
 * <p>Strict mode adds OpenAI's rules: the root is an object, and every object lists all of its
 * properties in {@code required} and sets {@code additionalProperties: false}.
 */
public final class SchemaSubset {

  static final Set<String> TYPES =
      Set.of("string", "number", "integer", "boolean", "object", "array", "null");

  /** Instances drawn to check that a schema has one. */
  private static final int TRIALS = 4;

  private static final Set<String> KEYWORDS =
      Set.of(
          "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf",
          "$ref", "$defs", "definitions", "minItems", "maxItems", "minLength", "maxLength", "minimum",
          "maximum", "exclusiveMinimum", "exclusiveMaximum", "format");

  private static final Set<String> ANNOTATIONS =
      Set.of(
          "description", "title", "examples", "default", "$schema", "$id", "$comment", "deprecated",
          "readOnly", "writeOnly");

  private static final String SUPPORTED =
      "a schema using only type, properties, required, additionalProperties, items, enum, const, "
          + "anyOf, $ref, $defs, minItems, maxItems, minLength, maxLength, minimum, maximum, "
          + "exclusiveMinimum, exclusiveMaximum, format and annotations";

  private SchemaSubset() {}

  /**
   * Checks {@code schema}, found at {@code field} of the request, and that it has a finite instance.
   *
   * @throws SchemaException naming the first keyword or value outside the subset
   */
  public static void check(JsonNode schema, String field, boolean strict) throws SchemaException {
    if (!schema.isObject()) {
      throw new SchemaException(field, field + ": " + kind(schema) + " (expected: a JSON Schema object)");
    }
    if (strict && !"object".equals(schema.path("type").asText(""))) {
      throw new SchemaException(
          field, field + ".type: " + schema.path("type") + " (expected: \"object\": in strict mode the root is an object)");
    }
    node(schema, schema, field, strict);
    // Every trial must succeed: what is refused here never fails in an engine.
    for (long seed = 0; seed < TRIALS; seed++) {
      try {
        InstanceGenerator.draw(schema, new SplittableRandom(seed));
      } catch (InstanceGenerator.NoInstance e) {
        throw new SchemaException(
            field, field + ": " + e.getMessage() + " (expected: a schema with a finite instance)");
      }
    }
  }

  private static void node(JsonNode root, JsonNode schema, String at, boolean strict)
      throws SchemaException {
    if (schema.isBoolean()) {
      return; // true: anything; false: nothing, which only an optional place may hold
    }
    if (!schema.isObject()) {
      throw new SchemaException(at, at + ": " + kind(schema) + " (expected: a schema object)");
    }
    for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KEYWORDS.contains(name) && !ANNOTATIONS.contains(name)) {
        throw new SchemaException(
            at + "." + name,
            at + ": keyword " + name + " is not supported (expected: " + SUPPORTED + ")");
      }
    }
    JsonNode type = schema.get("type");
    if (type != null) {
      if (type.isArray() && !type.isEmpty()) {
        for (JsonNode t : type) {
          typeName(t, at);
        }
      } else {
        typeName(type, at);
      }
    }
    JsonNode properties = schema.get("properties");
    Set<String> names = new HashSet<>();
    if (properties != null) {
      if (!properties.isObject()) {
        throw new SchemaException(at + ".properties", at + ".properties: " + kind(properties) + " (expected: an object of schemas)");
      }
      for (Map.Entry<String, JsonNode> p : properties.properties()) {
        names.add(p.getKey());
        node(root, p.getValue(), at + ".properties." + p.getKey(), strict);
      }
    }
    JsonNode required = schema.get("required");
    Set<String> listed = new HashSet<>();
    if (required != null) {
      if (!required.isArray()) {
        throw new SchemaException(at + ".required", at + ".required: " + kind(required) + " (expected: an array of property names)");
      }
      for (JsonNode r : required) {
        if (!r.isTextual() || !names.contains(r.asText())) {
          throw new SchemaException(
              at + ".required", at + ".required: " + r + " (expected: the name of a property in properties)");
        }
        listed.add(r.asText());
      }
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && !additional.isBoolean()) {
      node(root, additional, at + ".additionalProperties", strict);
    }
    boolean object = properties != null || hasType(schema, "object");
    if (strict && object) {
      if (additional == null || !additional.isBoolean() || additional.asBoolean()) {
        throw new SchemaException(
            at + ".additionalProperties",
            at + ".additionalProperties: " + (additional == null ? "absent" : additional.toString())
                + " (expected: false: strict mode allows no properties beyond those listed)");
      }
      for (String name : names) {
        if (!listed.contains(name)) {
          throw new SchemaException(
              at + ".required",
              at + ".required: lacks " + name
                  + " (expected: every property: in strict mode optional ones are a union with null)");
        }
      }
    }
    JsonNode items = schema.get("items");
    if (items != null) {
      if (items.isArray()) {
        throw new SchemaException(at + ".items", at + ".items: an array (expected: one schema for every item; tuples are not supported)");
      }
      node(root, items, at + ".items", strict);
    }
    JsonNode anyOf = schema.get("anyOf");
    if (anyOf != null) {
      if (!anyOf.isArray() || anyOf.isEmpty()) {
        throw new SchemaException(at + ".anyOf", at + ".anyOf: " + kind(anyOf) + " (expected: a non-empty array of schemas)");
      }
      for (int i = 0; i < anyOf.size(); i++) {
        node(root, anyOf.get(i), at + ".anyOf[" + i + "]", strict);
      }
    }
    JsonNode enumeration = schema.get("enum");
    if (enumeration != null && (!enumeration.isArray() || enumeration.isEmpty())) {
      throw new SchemaException(at + ".enum", at + ".enum: " + kind(enumeration) + " (expected: a non-empty array of values)");
    }
    for (String defs : List.of("$defs", "definitions")) {
      JsonNode d = schema.get(defs);
      if (d != null) {
        if (!d.isObject()) {
          throw new SchemaException(at + "." + defs, at + "." + defs + ": " + kind(d) + " (expected: an object of schemas)");
        }
        for (Map.Entry<String, JsonNode> def : d.properties()) {
          node(root, def.getValue(), at + "." + defs + "." + def.getKey(), strict);
        }
      }
    }
    JsonNode ref = schema.get("$ref");
    if (ref != null) {
      if (!ref.isTextual() || InstanceGenerator.resolve(root, ref.asText()) == null) {
        throw new SchemaException(
            at + ".$ref", at + ".$ref: " + ref + " (expected: \"#\" or \"#/$defs/NAME\" of a definition in this schema)");
      }
    }
    counts(schema, at, "minItems", "maxItems");
    counts(schema, at, "minLength", "maxLength");
    bounds(schema, at);
    JsonNode format = schema.get("format");
    if (format != null && !format.isTextual()) {
      throw new SchemaException(at + ".format", at + ".format: " + kind(format) + " (expected: a string)");
    }
  }

  private static void typeName(JsonNode t, String at) throws SchemaException {
    if (!t.isTextual() || !TYPES.contains(t.asText())) {
      throw new SchemaException(
          at + ".type",
          at + ".type: " + t + " (expected: string, number, integer, boolean, object, array or null, or an array of them)");
    }
  }

  private static void counts(JsonNode schema, String at, String min, String max) throws SchemaException {
    long lo = count(schema, at, min, 0);
    long hi = count(schema, at, max, Long.MAX_VALUE);
    if (lo > hi) {
      throw new SchemaException(at + "." + min, at + "." + min + ": " + lo + " (expected: at most " + max + ", " + hi + ")");
    }
    if (lo > InstanceGenerator.MAX_COUNT) {
      throw new SchemaException(
          at + "." + min, at + "." + min + ": " + lo + " (expected: at most " + InstanceGenerator.MAX_COUNT + ")");
    }
  }

  private static long count(JsonNode schema, String at, String name, long absent) throws SchemaException {
    JsonNode value = schema.get(name);
    if (value == null) {
      return absent;
    }
    if (!value.canConvertToExactIntegral() || !value.canConvertToLong() || value.longValue() < 0) {
      throw new SchemaException(at + "." + name, at + "." + name + ": " + value + " (expected: an integer >= 0)");
    }
    return value.longValue();
  }

  private static void bounds(JsonNode schema, String at) throws SchemaException {
    for (String name : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
      JsonNode value = schema.get(name);
      if (value != null && !value.isNumber()) {
        throw new SchemaException(at + "." + name, at + "." + name + ": " + kind(value) + " (expected: a number)");
      }
    }
    double lo = InstanceGenerator.lower(schema);
    double hi = InstanceGenerator.upper(schema);
    if (lo > hi) {
      throw new SchemaException(at, at + ": lower bound " + lo + " above upper bound " + hi + " (expected: a range with numbers in it)");
    }
  }

  static boolean hasType(JsonNode schema, String name) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return false;
    }
    if (type.isArray()) {
      for (JsonNode t : type) {
        if (t.asText().equals(name)) {
          return true;
        }
      }
      return false;
    }
    return type.asText().equals(name);
  }

  private static String kind(JsonNode value) {
    String text = value.toString();
    return text.length() > 60 ? text.substring(0, 57) + "..." : text;
  }
}
