package dev.spillway.backends.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.structured.SchemaException;
import dev.spillway.backends.structured.SchemaSubset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the fields that shape a request's output — {@code tools}, {@code tool_choice},
 * {@code parallel_tool_calls} and the response format — in the shapes of chat completions
 * ({@code tools[].function}, {@code response_format}) and of the Responses API (flat
 * {@code tools[]}, {@code text.format}), into an {@link OutputSpec}. Shared by the gateway and the
 * emulator server, so both refuse the same things with the same words ({@link FieldError}).
 *
 * <p>JSON {@code null} means absent. Schemas must lie in the {@link SchemaSubset}; a strict one must
 * also follow strict mode's rules.
 */
public final class OutputFields {

  /** OpenAI's limit on the tools of one request. */
  public static final int MAX_TOOLS = 128;

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
  private static final JsonNode EMPTY_PARAMETERS =
      JsonNodeFactory.instance.objectNode().put("type", "object").set("properties", JsonNodeFactory.instance.objectNode());

  private OutputFields() {}

  /** One function offered, as the prompt counts it. */
  public record Function(String name, String description, JsonNode parameters) {}

  /**
   * What the fields say.
   *
   * @param spec the output spec, without pass-through fields
   * @param functions the functions offered, for counting the prompt
   * @param schema the response format's schema, or null
   */
  public record Parsed(OutputSpec spec, List<Function> functions, JsonNode schema) {}

  /** The fields of a chat-completions request. */
  public static Parsed chat(JsonNode root, boolean answersToolResults) {
    List<Function> functions = new ArrayList<>();
    List<OutputSpec.Tool> tools = tools(root.get("tools"), false, functions);
    OutputSpec.ToolChoice choice = toolChoice(root.get("tool_choice"), false, tools);
    boolean parallel = bool(root.get("parallel_tool_calls"), "parallel_tool_calls", true);
    JsonNode format = root.get("response_format");
    return spec(format, "response_format", false, tools, choice, parallel, answersToolResults, functions);
  }

  /** The fields of a Responses API request ({@code text.format} for the response format). */
  public static Parsed responses(JsonNode root, boolean answersToolResults) {
    List<Function> functions = new ArrayList<>();
    List<OutputSpec.Tool> tools = tools(root.get("tools"), true, functions);
    OutputSpec.ToolChoice choice = toolChoice(root.get("tool_choice"), true, tools);
    boolean parallel = bool(root.get("parallel_tool_calls"), "parallel_tool_calls", true);
    JsonNode text = root.get("text");
    JsonNode format = null;
    if (present(text)) {
      if (!text.isObject()) {
        throw invalidType("text", text, "an object such as {\"format\": {\"type\": \"text\"}}");
      }
      format = text.get("format");
    }
    return spec(format, "text.format", true, tools, choice, parallel, answersToolResults, functions);
  }

  /**
   * The members of a chat request an upstream needs to see what the client asked for: the messages
   * and, where present, the tools, the tool choice, parallel calls and the response format; empty when
   * the spec is plain text and no message calls or answers a tool.
   */
  public static String chatPassThrough(JsonNode root, OutputSpec spec) {
    JsonNode messages = root.get("messages");
    boolean toolMessages = false;
    if (messages != null && messages.isArray()) {
      for (JsonNode m : messages) {
        toolMessages |= m.has("tool_calls") || "tool".equals(m.path("role").asText());
      }
    }
    if (spec.equals(OutputSpec.TEXT) && !toolMessages && !present(root.get("response_format"))) {
      return "";
    }
    StringBuilder out = new StringBuilder(256);
    out.append("\"messages\":").append(messages);
    for (String name : List.of("tools", "tool_choice", "parallel_tool_calls", "response_format")) {
      JsonNode value = root.get(name);
      if (present(value)) {
        out.append(',');
        JsonText.string(out, name).append(':').append(value);
      }
    }
    return out.toString();
  }

  private static Parsed spec(
      JsonNode format, String field, boolean flat, List<OutputSpec.Tool> tools,
      OutputSpec.ToolChoice choice, boolean parallel, boolean answersToolResults,
      List<Function> functions) {
    OutputSpec.Format shape = OutputSpec.Format.TEXT;
    JsonNode schema = null;
    if (present(format)) {
      if (!format.isObject()) {
        throw invalidType(field, format, "an object with type text, json_object or json_schema");
      }
      String type = format.path("type").asText("");
      switch (type) {
        case "text":
          break;
        case "json_object":
          shape = OutputSpec.Format.JSON_OBJECT;
          break;
        case "json_schema":
          JsonNode holder = flat ? format : format.get("json_schema");
          String at = flat ? field : field + ".json_schema";
          if (!flat && (holder == null || !holder.isObject())) {
            throw new FieldError(
                at, "missing_required_parameter",
                at + ": " + (holder == null ? "missing" : holder.toString())
                    + " (expected: an object with name, schema and strict)");
          }
          name(holder.get("name"), at + ".name");
          boolean strict = bool(holder.get("strict"), at + ".strict", false);
          schema = holder.get("schema");
          if (!present(schema)) {
            // OpenAI treats a format without a schema as any JSON object.
            shape = OutputSpec.Format.JSON_OBJECT;
            schema = null;
            break;
          }
          check(schema, at + ".schema", strict, "invalid_json_schema");
          shape = OutputSpec.Format.JSON_SCHEMA;
          break;
        default:
          throw new FieldError(
              field + ".type", "invalid_value",
              field + ".type: " + JsonText.quote(type) + " (expected: text, json_object or json_schema)");
      }
    }
    OutputSpec spec =
        new OutputSpec(
            shape, schema == null ? "" : schema.toString(), tools, choice,
            parallel && !tools.isEmpty(), answersToolResults, "");
    return new Parsed(spec, List.copyOf(functions), schema);
  }

  private static List<OutputSpec.Tool> tools(JsonNode tools, boolean flat, List<Function> functions) {
    if (!present(tools)) {
      return List.of();
    }
    if (!tools.isArray()) {
      throw invalidType("tools", tools, "an array of function tools");
    }
    if (tools.size() > MAX_TOOLS) {
      throw new FieldError(
          "tools", "array_above_max_length",
          "tools: " + tools.size() + " tools (expected: at most " + MAX_TOOLS + ")");
    }
    List<OutputSpec.Tool> parsed = new ArrayList<>(tools.size());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools[" + i + "]";
      JsonNode tool = tools.get(i);
      if (!tool.isObject()) {
        throw invalidType(at, tool, "a function tool object");
      }
      String type = tool.path("type").asText("");
      if (!type.equals("function")) {
        throw new FieldError(
            at + ".type", "invalid_value",
            at + ".type: " + tool.path("type") + " (expected: function; the models call functions only)");
      }
      JsonNode function = flat ? tool : tool.get("function");
      String fat = flat ? at : at + ".function";
      if (!flat && (function == null || !function.isObject())) {
        throw new FieldError(
            fat, "missing_required_parameter",
            fat + ": " + (function == null ? "missing" : function.toString())
                + " (expected: an object with name and parameters)");
      }
      String name = name(function.get("name"), fat + ".name");
      if (!names.add(name)) {
        throw new FieldError(
            fat + ".name", "invalid_value",
            fat + ".name: " + JsonText.quote(name) + " (expected: a name no other tool has)");
      }
      JsonNode description = function.get("description");
      if (present(description) && !description.isTextual()) {
        throw invalidType(fat + ".description", description, "a string");
      }
      boolean strict = bool(function.get("strict"), fat + ".strict", false);
      JsonNode parameters = function.get("parameters");
      if (!present(parameters)) {
        parameters = EMPTY_PARAMETERS;
      } else {
        check(parameters, fat + ".parameters", strict, "invalid_function_parameters");
      }
      functions.add(new Function(name, present(description) ? description.asText() : "", parameters));
      parsed.add(new OutputSpec.Tool(name, parameters.toString()));
    }
    return parsed;
  }

  private static OutputSpec.ToolChoice toolChoice(
      JsonNode choice, boolean flat, List<OutputSpec.Tool> tools) {
    if (!present(choice)) {
      return tools.isEmpty() ? OutputSpec.ToolChoice.NONE : OutputSpec.ToolChoice.AUTO;
    }
    OutputSpec.ToolChoice parsed;
    String shapes =
        "none, auto, required or {\"type\": \"function\", "
            + (flat ? "\"name\": …}" : "\"function\": {\"name\": …}}");
    if (choice.isTextual()) {
      switch (choice.asText()) {
        case "none":
          return OutputSpec.ToolChoice.NONE;
        case "auto":
          parsed = OutputSpec.ToolChoice.AUTO;
          break;
        case "required":
          parsed = OutputSpec.ToolChoice.REQUIRED;
          break;
        default:
          throw new FieldError("tool_choice", "invalid_value", "tool_choice: " + choice + " (expected: " + shapes + ")");
      }
    } else if (choice.isObject() && "function".equals(choice.path("type").asText())) {
      JsonNode name = flat ? choice.get("name") : choice.path("function").get("name");
      String field = flat ? "tool_choice.name" : "tool_choice.function.name";
      if (name == null || !name.isTextual()) {
        throw new FieldError(field, "missing_required_parameter", field + ": " + name + " (expected: the name of a tool)");
      }
      if (tools.stream().noneMatch(t -> t.name().equals(name.asText()))) {
        throw new FieldError(
            field, "invalid_value",
            field + ": " + JsonText.quote(name.asText()) + " (expected: the name of one of the tools offered)");
      }
      parsed = OutputSpec.ToolChoice.named(name.asText());
    } else {
      throw new FieldError("tool_choice", "invalid_value", "tool_choice: " + choice + " (expected: " + shapes + ")");
    }
    if (tools.isEmpty()) {
      throw new FieldError(
          "tool_choice", "invalid_value",
          "tool_choice: " + choice + " (expected: none, or tools to choose from: set tools)");
    }
    return parsed;
  }

  private static void check(JsonNode schema, String field, boolean strict, String code) {
    try {
      SchemaSubset.check(schema, field, strict);
    } catch (SchemaException e) {
      throw new FieldError(e.field(), code, e.getMessage());
    }
  }

  private static String name(JsonNode name, String field) {
    if (!present(name)) {
      throw new FieldError(field, "missing_required_parameter", field + ": missing (expected: a name of 1 to 64 letters, digits, _ or -)");
    }
    if (!name.isTextual() || !NAME.matcher(name.asText()).matches()) {
      throw new FieldError(field, "invalid_value", field + ": " + name + " (expected: a name of 1 to 64 letters, digits, _ or -)");
    }
    return name.asText();
  }

  private static boolean bool(JsonNode value, String field, boolean fallback) {
    if (!present(value)) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw invalidType(field, value, "true, false or null");
    }
    return value.asBoolean();
  }

  private static boolean present(JsonNode value) {
    return value != null && !value.isNull() && !value.isMissingNode();
  }

  private static FieldError invalidType(String field, JsonNode value, String expected) {
    String text = value.toString();
    if (text.length() > 80) {
      text = text.substring(0, 77) + "...";
    }
    return new FieldError(field, "invalid_type", field + ": " + text + " (expected: " + expected + ")");
  }
}
