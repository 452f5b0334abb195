package dev.spillway.backends.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a request asks its output to be: free text, one JSON value, or calls to the functions it
 * offers. An emulated engine plans its output from it (and paces and counts that output as it does
 * text); an upstream forwards the request's own fields ({@link #passThrough}) so that a real model
 * sees what the client sent.
 *
 * @param format the shape of a text answer
 * @param schema for {@link Format#JSON_SCHEMA}: the JSON Schema as JSON text, already checked to use
 *     only the supported keywords; empty otherwise
 * @param tools the functions offered, in order
 * @param toolChoice whether and which functions the model may or must call
 * @param parallelToolCalls whether one answer may hold more than one call
 * @param answersToolResults the conversation ends with tool results: under {@link ToolMode#AUTO} an
 *     emulated model answers them with text rather than call again
 * @param passThrough the request's conversation and the fields that shape its output, as the client
 *     sent them, written as JSON object members in the chat-completions shape
 *     ({@code "messages":[…],"tools":[…],"tool_choice":"auto"}), for an upstream to send on; always
 *     with {@code "messages"} when not empty; empty when the prompt text says it all (no tools, no
 *     response format, no tool calls in the conversation)
 */
public record OutputSpec(
    Format format,
    String schema,
    List<Tool> tools,
    ToolChoice toolChoice,
    boolean parallelToolCalls,
    boolean answersToolResults,
    String passThrough) {

  /** Free text, no tools: what a request without {@code tools} or {@code response_format} asks for. */
  public static final OutputSpec TEXT =
      new OutputSpec(Format.TEXT, "", List.of(), ToolChoice.NONE, false, false, "");

  public OutputSpec {
    requireNonNull(format, "format");
    requireNonNull(schema, "schema");
    tools = List.copyOf(requireNonNull(tools, "tools"));
    requireNonNull(toolChoice, "toolChoice");
    requireNonNull(passThrough, "passThrough");
    if ((format == Format.JSON_SCHEMA) == schema.isEmpty()) {
      throw new IllegalArgumentException(
          "schema: " + (schema.isEmpty() ? "empty" : "set") + " (expected: set exactly for JSON_SCHEMA)");
    }
    if (toolChoice.mode() == ToolMode.NAMED
        && tools.stream().noneMatch(t -> t.name().equals(toolChoice.function()))) {
      throw new IllegalArgumentException(
          "toolChoice: " + toolChoice.function() + " (expected: one of the tools offered)");
    }
    if (tools.isEmpty() && toolChoice.mode() != ToolMode.NONE) {
      throw new IllegalArgumentException(
          "toolChoice: " + toolChoice.mode() + " (expected: NONE when no tools are offered)");
    }
  }

  /** The same spec with the client's own fields to pass through. */
  public OutputSpec withPassThrough(String newPassThrough) {
    return new OutputSpec(
        format, schema, tools, toolChoice, parallelToolCalls, answersToolResults, newPassThrough);
  }

  /** True when the model may answer with tool calls. */
  public boolean mayCallTools() {
    return toolChoice.mode() != ToolMode.NONE;
  }

  /** The shape of a text answer ({@code response_format}). */
  public enum Format {
    TEXT,
    /** Any JSON object. */
    JSON_OBJECT,
    /** An instance of {@link OutputSpec#schema}. */
    JSON_SCHEMA
  }

  /**
   * One function the model may call.
   *
   * @param name the function's name
   * @param parameters the JSON Schema of its arguments, as JSON text, already checked to use only the
   *     supported keywords
   */
  public record Tool(String name, String parameters) {
    public Tool {
      requireNonNull(name, "name");
      requireNonNull(parameters, "parameters");
    }
  }

  /** {@code tool_choice}: none, auto, required, or one function by name. */
  public enum ToolMode {
    NONE,
    AUTO,
    REQUIRED,
    NAMED
  }

  /** @param function the function named, for {@link ToolMode#NAMED}; empty otherwise */
  public record ToolChoice(ToolMode mode, String function) {
    public static final ToolChoice NONE = new ToolChoice(ToolMode.NONE, "");
    public static final ToolChoice AUTO = new ToolChoice(ToolMode.AUTO, "");
    public static final ToolChoice REQUIRED = new ToolChoice(ToolMode.REQUIRED, "");

    public ToolChoice {
      requireNonNull(mode, "mode");
      requireNonNull(function, "function");
      if ((mode == ToolMode.NAMED) == function.isEmpty()) {
        throw new IllegalArgumentException(
            "function: \"" + function + "\" (expected: a name exactly when the mode is NAMED)");
      }
    }

    public static ToolChoice named(String function) {
      return new ToolChoice(ToolMode.NAMED, function);
    }
  }
}
