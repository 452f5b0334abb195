package dev.spillway.backends.structured;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.wire.JsonText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Compact JSON text of a random instance of a schema in the {@link SchemaSubset}, deterministic for a
 * random source's seed: the arguments of an emulated tool call or an emulated structured answer.
 *
 * <p>Implementation notes. Every required property is present; an optional one is present half the
 * time. Arrays hold {@code minItems} to three more items, strings one to four words, numbers lie in
 * their bounds (0 to 100 when unbounded). Past {@link #SHALLOW} levels of nesting the generator takes
 * the short way — required properties only, the fewest items, a scalar branch of an {@code anyOf}
 * where there is one — so that a recursive schema ends; one that cannot end within {@link #DEEPEST}
 * levels has no instance ({@link NoInstance}). A draw that fails (an {@code anyOf} branch or an
 * optional property with no instance, a recursion drawn too deep) is drawn again, up to
 * {@value #ATTEMPTS} times.
 */
public final class InstanceGenerator {

  /** The most items or characters a schema may demand as a minimum. */
  static final long MAX_COUNT = 1000;
  private static final int SHALLOW = 4;
  private static final int DEEPEST = 40;
  private static final int DEFAULT_SPAN = 100;
  /** Draws before a schema is taken to have no instance. */
  private static final int ATTEMPTS = 8;

  private static final String[] WORDS = {
    "river", "model", "chip", "token", "memory", "city", "light", "paper", "water", "house", "stone",
    "green", "blue", "quick", "north", "south", "cloud", "signal", "table", "field", "garden", "story",
    "market", "engine", "window", "letter", "number", "school", "summer", "winter", "forest", "silver",
    "orange", "planet", "rocket", "bridge", "coffee", "music", "report", "status", "order", "value"
  };

  private InstanceGenerator() {}

  /** The schema has no instance the generator can reach. */
  static final class NoInstance extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The draw went too deep, rather than meeting a schema with no value. */
    final boolean deep;

    NoInstance(String message) {
      this(message, false);
    }

    NoInstance(String message, boolean deep) {
      super(message, null, false, false);
      this.deep = deep;
    }
  }

  /**
   * An instance of {@code schema} (already {@linkplain SchemaSubset#check checked}) as compact JSON.
   *
   * @throws IllegalArgumentException when the schema has no instance (a checked schema always has)
   */
  public static String generate(JsonNode schema, SplittableRandom random) {
    try {
      return draw(schema, random);
    } catch (NoInstance e) {
      throw new IllegalArgumentException("schema: " + e.getMessage() + " (expected: a schema with an instance)");
    }
  }

  /** As {@link #generate}, failing with the reason of the last draw. */
  static String draw(JsonNode schema, SplittableRandom random) {
    NoInstance last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      StringBuilder out = new StringBuilder(128);
      try {
        new Walk(schema, attempt == 0 ? random : random.split(), out).value(schema, 0);
        return out.toString();
      } catch (NoInstance e) {
        last = e; // a branch with no instance, or a recursion drawn too deep: draw again
      }
    }
    throw last;
  }

  /** A JSON object of two to four members with words for keys: the answer of JSON mode. */
  public static String anyObject(SplittableRandom random) {
    StringBuilder out = new StringBuilder(96);
    Walk walk = new Walk(null, random, out);
    out.append('{');
    int members = 2 + random.nextInt(3);
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < members; i++) {
      String key = WORDS[random.nextInt(WORDS.length)];
      if (!keys.add(key)) {
        continue;
      }
      if (keys.size() > 1) {
        out.append(',');
      }
      JsonText.string(out, key).append(':');
      switch (random.nextInt(4)) {
        case 0:
          out.append(random.nextInt(DEFAULT_SPAN + 1));
          break;
        case 1:
          out.append(random.nextBoolean());
          break;
        case 2:
          out.append('[');
          int items = 1 + random.nextInt(3);
          for (int j = 0; j < items; j++) {
            if (j > 0) {
              out.append(',');
            }
            JsonText.string(out, walk.words(0, Long.MAX_VALUE));
          }
          out.append(']');
          break;
        default:
          JsonText.string(out, walk.words(0, Long.MAX_VALUE));
      }
    }
    return out.append('}').toString();
  }

  /** The schema a local {@code $ref} points at in {@code root}, or null. */
  static JsonNode resolve(JsonNode root, String ref) {
    if (ref.equals("#")) {
      return root;
    }
    if (!ref.startsWith("#/")) {
      return null;
    }
    JsonNode target = root.at(ref.substring(1));
    return target.isMissingNode() ? null : target;
  }

  /** The lower bound a number schema sets (inclusive or not), or -infinity. */
  static double lower(JsonNode schema) {
    double lo = Double.NEGATIVE_INFINITY;
    if (schema.has("minimum")) {
      lo = schema.get("minimum").asDouble();
    }
    if (schema.has("exclusiveMinimum")) {
      lo = Math.max(lo, schema.get("exclusiveMinimum").asDouble());
    }
    return lo;
  }

  /** The upper bound a number schema sets (inclusive or not), or +infinity. */
  static double upper(JsonNode schema) {
    double hi = Double.POSITIVE_INFINITY;
    if (schema.has("maximum")) {
      hi = schema.get("maximum").asDouble();
    }
    if (schema.has("exclusiveMaximum")) {
      hi = Math.min(hi, schema.get("exclusiveMaximum").asDouble());
    }
    return hi;
  }

  /** One generation: the root for {@code $ref}, the random source and the text so far. */
  private static final class Walk {
    private final JsonNode root;
    private final SplittableRandom random;
    private final StringBuilder out;

    Walk(JsonNode root, SplittableRandom random, StringBuilder out) {
      this.root = root;
      this.random = random;
      this.out = out;
    }

    void value(JsonNode schema, int depth) {
      if (depth > DEEPEST) {
        throw new NoInstance("nesting deeper than " + DEEPEST + " levels (a recursion with no end)", true);
      }
      if (schema.isBoolean()) {
        if (!schema.asBoolean()) {
          throw new NoInstance("false admits no value");
        }
        JsonText.string(out, words(0, Long.MAX_VALUE));
        return;
      }
      if (schema.has("$ref")) {
        value(resolve(root, schema.get("$ref").asText()), depth + 1);
        return;
      }
      if (schema.has("const")) {
        out.append(schema.get("const").toString());
        return;
      }
      if (schema.has("enum")) {
        JsonNode values = schema.get("enum");
        out.append(values.get(random.nextInt(values.size())).toString());
        return;
      }
      if (schema.has("anyOf")) {
        anyOf(schema.get("anyOf"), depth);
        return;
      }
      switch (type(schema, depth)) {
        case "object":
          object(schema, depth);
          break;
        case "array":
          array(schema, depth);
          break;
        case "integer":
          integer(schema);
          break;
        case "number":
          number(schema);
          break;
        case "boolean":
          out.append(random.nextBoolean());
          break;
        case "null":
          out.append("null");
          break;
        default:
          string(schema);
      }
    }

    private String type(JsonNode schema, int depth) {
      JsonNode type = schema.get("type");
      if (type == null) {
        if (schema.has("properties") || schema.has("additionalProperties") || schema.has("required")) {
          return "object";
        }
        return schema.has("items") ? "array" : "string";
      }
      if (!type.isArray()) {
        return type.asText();
      }
      if (depth >= SHALLOW) {
        for (String shortest : List.of("null", "boolean", "integer", "number", "string")) {
          if (SchemaSubset.hasType(schema, shortest)) {
            return shortest;
          }
        }
      }
      return type.get(random.nextInt(type.size())).asText();
    }

    /** The branch drawn, or when it has no value, the first of the others that has. */
    private void anyOf(JsonNode options, int depth) {
      JsonNode chosen = branch(options, depth);
      int mark = out.length();
      try {
        value(chosen, depth + 1);
        return;
      } catch (NoInstance e) {
        if (e.deep) {
          throw e;
        }
        out.setLength(mark);
      }
      NoInstance last = null;
      for (JsonNode option : options) {
        if (option == chosen) {
          continue;
        }
        try {
          value(option, depth + 1);
          return;
        } catch (NoInstance e) {
          if (e.deep) {
            throw e;
          }
          out.setLength(mark);
          last = e;
        }
      }
      throw last != null ? last : new NoInstance("no branch of anyOf has a value");
    }

    private JsonNode branch(JsonNode anyOf, int depth) {
      if (depth >= SHALLOW) {
        for (JsonNode option : anyOf) {
          if (option.isObject() && !option.has("$ref") && !option.has("anyOf")
              && !option.has("properties") && !option.has("items")
              && !SchemaSubset.hasType(option, "object") && !SchemaSubset.hasType(option, "array")) {
            return option;
          }
        }
      }
      return anyOf.get(random.nextInt(anyOf.size()));
    }

    private void object(JsonNode schema, int depth) {
      JsonNode properties = schema.get("properties");
      Set<String> required = new HashSet<>();
      JsonNode list = schema.get("required");
      if (list != null) {
        list.forEach(r -> required.add(r.asText()));
      }
      out.append('{');
      boolean first = true;
      if (properties != null) {
        for (Map.Entry<String, JsonNode> p : properties.properties()) {
          boolean present =
              required.contains(p.getKey()) || (depth < SHALLOW && random.nextBoolean());
          if (!present || (p.getValue().isBoolean() && !p.getValue().asBoolean())) {
            continue;
          }
          int mark = out.length();
          if (!first) {
            out.append(',');
          }
          JsonText.string(out, p.getKey()).append(':');
          try {
            value(p.getValue(), depth + 1);
          } catch (NoInstance e) {
            if (e.deep || required.contains(p.getKey())) {
              throw e;
            }
            out.setLength(mark); // an optional property with no value is left out
            continue;
          }
          first = false;
        }
      } else {
        JsonNode additional = schema.get("additionalProperties");
        boolean open = additional == null || !additional.isBoolean() || additional.asBoolean();
        if (open && depth < SHALLOW) {
          int members = 1 + random.nextInt(2);
          List<String> keys = new ArrayList<>();
          for (int i = 0; i < members; i++) {
            String key = WORDS[random.nextInt(WORDS.length)];
            if (keys.contains(key)) {
              continue;
            }
            keys.add(key);
            if (!first) {
              out.append(',');
            }
            first = false;
            JsonText.string(out, key).append(':');
            if (additional != null && additional.isObject()) {
              value(additional, depth + 1);
            } else {
              JsonText.string(out, words(0, Long.MAX_VALUE));
            }
          }
        }
      }
      out.append('}');
    }

    private void array(JsonNode schema, int depth) {
      long min = schema.path("minItems").asLong(0);
      long max = schema.has("maxItems") ? schema.get("maxItems").asLong() : Long.MAX_VALUE;
      long extra = depth < SHALLOW ? random.nextInt(4) : 0;
      long count = Math.min(max, min + (min == 0 && depth < SHALLOW ? 1 + extra : extra));
      JsonNode items = schema.get("items");
      out.append('[');
      for (long i = 0; i < count; i++) {
        if (i > 0) {
          out.append(',');
        }
        if (items == null) {
          JsonText.string(out, words(0, Long.MAX_VALUE));
        } else {
          value(items, depth + 1);
        }
      }
      out.append(']');
    }

    private void integer(JsonNode schema) {
      double lo = Double.NEGATIVE_INFINITY;
      double hi = Double.POSITIVE_INFINITY;
      if (schema.has("minimum")) {
        lo = Math.ceil(schema.get("minimum").asDouble());
      }
      if (schema.has("exclusiveMinimum")) {
        lo = Math.max(lo, Math.floor(schema.get("exclusiveMinimum").asDouble()) + 1);
      }
      if (schema.has("maximum")) {
        hi = Math.floor(schema.get("maximum").asDouble());
      }
      if (schema.has("exclusiveMaximum")) {
        hi = Math.min(hi, Math.ceil(schema.get("exclusiveMaximum").asDouble()) - 1);
      }
      if (lo == Double.NEGATIVE_INFINITY) {
        lo = hi == Double.POSITIVE_INFINITY ? 0 : hi - DEFAULT_SPAN;
      }
      if (hi == Double.POSITIVE_INFINITY) {
        hi = lo + DEFAULT_SPAN;
      }
      if (lo > hi) {
        throw new NoInstance("no integer between the bounds");
      }
      long span = (long) Math.min(hi - lo, 1_000_000);
      out.append((long) lo + (span == 0 ? 0 : random.nextLong(span + 1)));
    }

    private void number(JsonNode schema) {
      double lo = lower(schema);
      double hi = upper(schema);
      boolean loOpen = schema.has("exclusiveMinimum") && lo == schema.get("exclusiveMinimum").asDouble();
      boolean hiOpen = schema.has("exclusiveMaximum") && hi == schema.get("exclusiveMaximum").asDouble();
      if (lo == Double.NEGATIVE_INFINITY) {
        lo = hi == Double.POSITIVE_INFINITY ? 0 : hi - DEFAULT_SPAN;
        loOpen = false;
      }
      if (hi == Double.POSITIVE_INFINITY) {
        hi = lo + DEFAULT_SPAN;
        hiOpen = false;
      }
      if (lo > hi || (lo == hi && (loOpen || hiOpen))) {
        throw new NoInstance("no number between the bounds");
      }
      double value = lo + (hi - lo) * (0.05 + 0.9 * random.nextDouble());
      double rounded = Math.round(value * 100) / 100.0;
      if (inside(rounded, lo, hi, loOpen, hiOpen)) {
        value = rounded;
      } else if (!inside(value, lo, hi, loOpen, hiOpen)) {
        value = lo + (hi - lo) / 2;
      }
      out.append(JsonText.decimal(value));
    }

    private static boolean inside(double v, double lo, double hi, boolean loOpen, boolean hiOpen) {
      return (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    }

    private void string(JsonNode schema) {
      long min = schema.path("minLength").asLong(0);
      long max = schema.has("maxLength") ? schema.get("maxLength").asLong() : Long.MAX_VALUE;
      String text = formatted(schema.path("format").asText(""));
      if (text == null || text.length() < min || text.length() > max) {
        text = words(min, max);
      }
      JsonText.string(out, text);
    }

    private String formatted(String format) {
      switch (format) {
        case "date-time":
          return String.format("2026-%02d-%02dT%02d:%02d:00Z", 1 + random.nextInt(12), 1 + random.nextInt(28),
              random.nextInt(24), random.nextInt(60));
        case "date":
          return String.format("2026-%02d-%02d", 1 + random.nextInt(12), 1 + random.nextInt(28));
        case "time":
          return String.format("%02d:%02d:00", random.nextInt(24), random.nextInt(60));
        case "email":
          return WORDS[random.nextInt(WORDS.length)] + "@example.com";
        case "uuid":
          return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
        case "uri":
          return "https://example.com/" + WORDS[random.nextInt(WORDS.length)];
        default:
          return null;
      }
    }

    /** One to four words, then padded or cut to {@code min}..{@code max} characters. */
    String words(long min, long max) {
      StringBuilder text = new StringBuilder();
      int count = 1 + random.nextInt(4);
      for (int i = 0; i < count || text.length() < min; i++) {
        if (text.length() > 0) {
          text.append(' ');
        }
        text.append(WORDS[random.nextInt(WORDS.length)]);
      }
      if (text.length() > max) {
        text.setLength((int) max);
      }
      return text.toString();
    }
  }
}
