package dev.spillway.backends.structured;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;

/**
 * Random schemas over the whole {@link SchemaSubset}: every type, type unions, enums and consts,
 * bounds (inclusive and exclusive), lengths, formats, nested objects and arrays, {@code anyOf},
 * optional properties, open and closed objects, and {@code $defs} with a recursive {@code $ref}.
 * Strict ones follow OpenAI's strict-mode rules.
 */
public final class RandomSchemas {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] FORMATS = {"date-time", "date", "time", "email", "uuid", "uri"};

  private final SplittableRandom random;
  private final boolean strict;
  private final boolean recursive;

  private RandomSchemas(long seed, boolean strict) {
    this.random = new SplittableRandom(seed);
    this.strict = strict;
    this.recursive = random.nextInt(4) == 0;
  }

  /** A random object schema for {@code seed}; strict when {@code strict}. */
  public static ObjectNode of(long seed, boolean strict) {
    RandomSchemas r = new RandomSchemas(seed, strict);
    ObjectNode root = r.object(0);
    if (r.recursive) {
      ObjectNode node = F.objectNode().put("type", "object");
      ObjectNode properties = node.putObject("properties");
      properties.putObject("label").put("type", "string");
      ObjectNode children = properties.putObject("children");
      children.put("type", "array").putObject("items").put("$ref", "#/$defs/node");
      node.putArray("required").add("label").add("children");
      node.put("additionalProperties", false);
      root.putObject("$defs").set("node", node);
      ((ObjectNode) root.get("properties")).putObject("tree").put("$ref", "#/$defs/node");
      ((ArrayNode) root.get("required")).add("tree");
    }
    return root;
  }

  private ObjectNode node(int depth) {
    int kinds = depth >= 3 ? 7 : 10;
    switch (random.nextInt(kinds)) {
      case 0:
        return string();
      case 1:
        return integer();
      case 2:
        return number();
      case 3:
        return F.objectNode().put("type", "boolean");
      case 4:
        return enumeration();
      case 5:
        {
          ObjectNode union = node(depth + 1);
          if (union.has("type") && union.get("type").isTextual()) {
            String type = union.get("type").asText();
            union.putArray("type").add(type).add("null");
          }
          return union;
        }
      case 6:
        return random.nextBoolean()
            ? F.objectNode().put("const", "fixed-" + random.nextInt(10))
            : F.objectNode().put("type", "string").put("description", "free text");
      case 7:
        return object(depth + 1);
      case 8:
        {
          ObjectNode array = F.objectNode().put("type", "array");
          array.set("items", node(depth + 1));
          if (random.nextBoolean()) {
            int min = random.nextInt(3);
            array.put("minItems", min);
            if (random.nextBoolean()) {
              array.put("maxItems", min + random.nextInt(3));
            }
          }
          return array;
        }
      default:
        {
          ObjectNode any = F.objectNode();
          ArrayNode options = any.putArray("anyOf");
          int n = 2 + random.nextInt(2);
          for (int i = 0; i < n; i++) {
            options.add(node(depth + 1));
          }
          return any;
        }
    }
  }

  private ObjectNode object(int depth) {
    ObjectNode object = F.objectNode().put("type", "object");
    ObjectNode properties = object.putObject("properties");
    ArrayNode required = object.putArray("required");
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      String name = "p" + i + "_" + depth;
      properties.set(name, node(depth));
      if (strict || random.nextInt(3) > 0) {
        required.add(name);
      }
    }
    if (strict || random.nextBoolean()) {
      object.put("additionalProperties", false);
    }
    if (random.nextInt(5) == 0) {
      object.put("description", "an object at depth " + depth);
    }
    return object;
  }

  private ObjectNode string() {
    ObjectNode s = F.objectNode().put("type", "string");
    switch (random.nextInt(4)) {
      case 0:
        int min = random.nextInt(20);
        s.put("minLength", min);
        if (random.nextBoolean()) {
          s.put("maxLength", min + random.nextInt(10));
        }
        break;
      case 1:
        s.put("format", FORMATS[random.nextInt(FORMATS.length)]);
        break;
      case 2:
        s.put("maxLength", 1 + random.nextInt(8));
        break;
      default:
        break;
    }
    return s;
  }

  private ObjectNode integer() {
    ObjectNode i = F.objectNode().put("type", "integer");
    int lo = random.nextInt(200) - 100;
    switch (random.nextInt(4)) {
      case 0:
        i.put("minimum", lo).put("maximum", lo + random.nextInt(5));
        break;
      case 1:
        i.put("exclusiveMinimum", lo).put("exclusiveMaximum", lo + 2 + random.nextInt(5));
        break;
      case 2:
        i.put("maximum", lo);
        break;
      default:
        break;
    }
    return i;
  }

  private ObjectNode number() {
    ObjectNode n = F.objectNode().put("type", "number");
    double lo = (random.nextInt(2000) - 1000) / 10.0;
    switch (random.nextInt(4)) {
      case 0:
        n.put("minimum", lo).put("maximum", lo + random.nextInt(3));
        break;
      case 1:
        n.put("exclusiveMinimum", lo).put("exclusiveMaximum", lo + 0.5 + random.nextInt(3));
        break;
      case 2:
        n.put("minimum", lo);
        break;
      default:
        break;
    }
    return n;
  }

  private ObjectNode enumeration() {
    ObjectNode e = F.objectNode();
    ArrayNode values = e.putArray("enum");
    int n = 1 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(3)) {
        case 0:
          values.add("v" + i);
          break;
        case 1:
          values.add(i * 7);
          break;
        default:
          values.add(i % 2 == 0);
      }
    }
    return e;
  }
}
