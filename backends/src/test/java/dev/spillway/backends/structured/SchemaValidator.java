package dev.spillway.backends.structured;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON Schema validator for the {@link SchemaSubset}, written from the specification (draft
 * 2020-12, validation vocabulary), independent of the generator: what a test holds instances to.
 */
public final class SchemaValidator {

  private final JsonNode root;
  private final List<String> errors = new ArrayList<>();

  private SchemaValidator(JsonNode root) {
    this.root = root;
  }

  /** Why {@code instance} is not valid against {@code schema}; empty when it is. */
  public static List<String> errors(JsonNode schema, JsonNode instance) {
    SchemaValidator v = new SchemaValidator(schema);
    v.validate(schema, instance, "$");
    return v.errors;
  }

  private boolean validate(JsonNode schema, JsonNode instance, String at) {
    int before = errors.size();
    if (schema.isBoolean()) {
      if (!schema.asBoolean()) {
        errors.add(at + ": false schema admits nothing");
      }
      return errors.size() == before;
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      JsonNode target = ref.equals("#") ? root : root.at(ref.substring(1));
      validate(target, instance, at);
    }
    if (schema.has("const") && !schema.get("const").equals(instance)) {
      errors.add(at + ": " + instance + " is not the const " + schema.get("const"));
    }
    if (schema.has("enum")) {
      boolean found = false;
      for (JsonNode value : schema.get("enum")) {
        found |= value.equals(instance);
      }
      if (!found) {
        errors.add(at + ": " + instance + " is not in the enum");
      }
    }
    if (schema.has("anyOf")) {
      boolean any = false;
      for (JsonNode option : schema.get("anyOf")) {
        SchemaValidator branch = new SchemaValidator(root);
        branch.validate(option, instance, at);
        any |= branch.errors.isEmpty();
      }
      if (!any) {
        errors.add(at + ": " + instance + " matches no branch of anyOf");
      }
    }
    if (schema.has("type")) {
      JsonNode type = schema.get("type");
      boolean matches = false;
      if (type.isArray()) {
        for (JsonNode t : type) {
          matches |= is(t.asText(), instance);
        }
      } else {
        matches = is(type.asText(), instance);
      }
      if (!matches) {
        errors.add(at + ": " + instance + " is not of type " + type);
      }
    }
    if (instance.isObject()) {
      object(schema, instance, at);
    } else if (instance.isArray()) {
      array(schema, instance, at);
    } else if (instance.isTextual()) {
      int length = instance.asText().codePointCount(0, instance.asText().length());
      if (schema.has("minLength") && length < schema.get("minLength").asLong()) {
        errors.add(at + ": shorter than minLength");
      }
      if (schema.has("maxLength") && length > schema.get("maxLength").asLong()) {
        errors.add(at + ": longer than maxLength");
      }
    } else if (instance.isNumber()) {
      double v = instance.asDouble();
      if (schema.has("minimum") && v < schema.get("minimum").asDouble()) {
        errors.add(at + ": " + v + " below minimum");
      }
      if (schema.has("maximum") && v > schema.get("maximum").asDouble()) {
        errors.add(at + ": " + v + " above maximum");
      }
      if (schema.has("exclusiveMinimum") && v <= schema.get("exclusiveMinimum").asDouble()) {
        errors.add(at + ": " + v + " not above exclusiveMinimum");
      }
      if (schema.has("exclusiveMaximum") && v >= schema.get("exclusiveMaximum").asDouble()) {
        errors.add(at + ": " + v + " not below exclusiveMaximum");
      }
    }
    return errors.size() == before;
  }

  private void object(JsonNode schema, JsonNode instance, String at) {
    JsonNode properties = schema.path("properties");
    Set<String> known = new HashSet<>();
    for (Map.Entry<String, JsonNode> p : properties.properties()) {
      known.add(p.getKey());
      if (instance.has(p.getKey())) {
        validate(p.getValue(), instance.get(p.getKey()), at + "." + p.getKey());
      }
    }
    for (JsonNode required : schema.path("required")) {
      if (!instance.has(required.asText())) {
        errors.add(at + ": lacks required " + required.asText());
      }
    }
    JsonNode additional = schema.get("additionalProperties");
    for (Iterator<String> names = instance.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (known.contains(name) || additional == null) {
        continue;
      }
      if (additional.isBoolean() && !additional.asBoolean()) {
        errors.add(at + ": has " + name + ", beyond the properties allowed");
      } else if (additional.isObject()) {
        validate(additional, instance.get(name), at + "." + name);
      }
    }
  }

  private void array(JsonNode schema, JsonNode instance, String at) {
    if (schema.has("minItems") && instance.size() < schema.get("minItems").asLong()) {
      errors.add(at + ": fewer items than minItems");
    }
    if (schema.has("maxItems") && instance.size() > schema.get("maxItems").asLong()) {
      errors.add(at + ": more items than maxItems");
    }
    if (schema.has("items")) {
      for (int i = 0; i < instance.size(); i++) {
        validate(schema.get("items"), instance.get(i), at + "[" + i + "]");
      }
    }
  }

  private static boolean is(String type, JsonNode instance) {
    switch (type) {
      case "string":
        return instance.isTextual();
      case "integer":
        return instance.isIntegralNumber()
            || (instance.isNumber() && instance.asDouble() == Math.rint(instance.asDouble()));
      case "number":
        return instance.isNumber();
      case "boolean":
        return instance.isBoolean();
      case "object":
        return instance.isObject();
      case "array":
        return instance.isArray();
      case "null":
        return instance.isNull();
      default:
        return false;
    }
  }
}
