package dev.spillway.gateway.api.openai;

import static dev.spillway.gateway.api.openai.JsonFields.bool;
import static dev.spillway.gateway.api.openai.JsonFields.describe;
import static dev.spillway.gateway.api.openai.JsonFields.invalidType;
import static dev.spillway.gateway.api.openai.JsonFields.missing;
import static dev.spillway.gateway.api.openai.JsonFields.present;
import static dev.spillway.gateway.api.openai.JsonFields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.wire.JsonText;
import dev.spillway.backends.wire.OutputFields;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import dev.spillway.gateway.core.GatewayRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Parses {@code POST /v1/responses} bodies into {@link OpenAiRequest}s: {@code input} (a string, or
 * an array of messages, {@code function_call} and {@code function_call_output} items),
 * {@code instructions}, {@code max_output_tokens}, {@code temperature}, {@code top_p}, function
 * {@code tools}, {@code tool_choice}, {@code parallel_tool_calls}, {@code text.format}, {@code stream},
 * and the gateway's own fields as for chat ({@code service_tier}, {@code user}, the headers).
 *
 * <p>Stateless: nothing is stored, so {@code previous_response_id}, {@code conversation} and
 * {@code background} are refused with a 400 that says so; {@code store} is accepted and answered
 * with {@code "store": false}. The conversation becomes chat messages — {@code instructions} a
 * developer message first, a {@code function_call} an assistant tool call, a
 * {@code function_call_output} a tool message — counted as chat is ({@link Prompts}), and passed to
 * upstreams in the chat-completions shape.
 */
final class ResponsesParser {

  private ResponsesParser() {}

  static OpenAiRequest parse(
      byte[] body,
      String requestId,
      Function<String, String> headers,
      Function<String, Optional<ModelInfo>> models) {
    JsonNode root = OpenAiParser.readObject(body);
    String modelName = requiredString(root, "model");
    stateless(root);
    StringBuilder chatMessages = new StringBuilder(256 + body.length);
    List<Prompts.Message> messages = conversation(root, chatMessages);
    boolean toolResultsLast = messages.get(messages.size() - 1).role().equals("tool");
    OutputFields.Parsed output =
        OpenAiParser.outputFields(() -> OutputFields.responses(root, toolResultsLast));
    double temperature = JsonFields.number(root, "temperature", 1.0, 0, 2);
    double topP = JsonFields.number(root, "top_p", 1.0, 0, 1);
    SamplingParams sampling = new SamplingParams(temperature, topP, OpenAiParser.seed(root), List.of());
    boolean stream = bool(root, "stream", false);
    ServiceTier tier = OpenAiParser.tier(root);
    String tenant = OpenAiParser.tenant(root, headers.apply(OpenAiParser.TENANT_HEADER));
    Optional<GatewayRequest.Slo> slo =
        OpenAiParser.slo(
            headers.apply(OpenAiParser.SLO_TTFT_HEADER), headers.apply(OpenAiParser.SLO_TPOT_HEADER));
    JsonNode metadata = root.get("metadata");
    if (present(metadata) && !metadata.isObject()) {
      throw invalidType("metadata", metadata, "an object of strings");
    }

    ModelInfo model = models.apply(modelName).orElseThrow(() -> OpenAiError.modelNotFound(modelName));
    if (model.embedding()) {
      throw OpenAiError.invalid(
          "model", "model_not_supported",
          "model: " + modelName + " is an embedding model (expected: a model that generates text; use /v1/embeddings)");
    }
    int context = model.contextTokens() > 0 ? model.contextTokens() : Integer.MAX_VALUE;
    int promptTokens =
        (int) Math.min(Integer.MAX_VALUE,
            (long) Prompts.chatTokens(messages) + PromptTokens.tools(output.functions())
                + PromptTokens.responseFormat(output.schema()));
    int left = OpenAiParser.contextLeft("input", promptTokens, context);
    int maxOutputTokens =
        OpenAiParser.maxTokens(
            root, "max_output_tokens", promptTokens, context, Math.max(1, model.defaultMaxTokens()), left);
    String promptText = Prompts.chatText(messages);
    OutputSpec spec = output.spec().withPassThrough(passThrough(root, chatMessages, output.spec()));
    GatewayRequest core =
        new GatewayRequest(
            requestId, modelName, promptTokens, maxOutputTokens, promptText,
            OpenAiParser.prefixHash(promptText), sampling, tier, tenant, slo, false,
            model.cached() && GatewayRequest.deterministic(sampling)
                ? CanonicalRequest.of(Endpoint.RESPONSES, root, body.length)
                : "",
            "", spec);
    return new OpenAiRequest(
        Endpoint.RESPONSES, core, model, stream, false, false, Optional.empty(),
        echo(root, output, sampling, present(root.get("max_output_tokens")) ? maxOutputTokens : -1));
  }

  private static void stateless(JsonNode root) {
    for (String field : List.of("previous_response_id", "conversation")) {
      if (present(root.get(field))) {
        throw OpenAiError.invalid(
            field, "unsupported_parameter",
            field + ": " + describe(root.get(field)) + " (expected: absent; the gateway stores no"
                + " responses: send the whole conversation in input)");
      }
    }
    if (bool(root, "background", false)) {
      throw OpenAiError.invalid(
          "background", "unsupported_parameter",
          "background: true (expected: false or absent; the gateway stores no responses to poll)");
    }
  }

  /**
   * The conversation as chat messages for counting, and in the chat-completions shape as JSON into
   * {@code chat} (an array) for upstreams.
   */
  private static List<Prompts.Message> conversation(JsonNode root, StringBuilder chat) {
    List<Prompts.Message> messages = new ArrayList<>();
    chat.append('[');
    JsonNode instructions = root.get("instructions");
    if (present(instructions)) {
      if (!instructions.isTextual()) {
        throw invalidType("instructions", instructions, "a string or null");
      }
      messages.add(new Prompts.Message("developer", List.of(instructions.asText()), null));
      chatMessage(chat, "developer", instructions.asText());
    }
    JsonNode input = root.get("input");
    if (!present(input)) {
      throw missing("input", "a string or an array of input items");
    }
    if (input.isTextual()) {
      messages.add(new Prompts.Message("user", List.of(input.asText()), null));
      chatMessage(chat, "user", input.asText());
    } else if (input.isArray()) {
      if (input.isEmpty()) {
        throw OpenAiError.invalid("input", "empty_array", "input: [] (expected: a string or a non-empty array of input items)");
      }
      for (int i = 0; i < input.size(); i++) {
        item(input.get(i), "input[" + i + "]", messages, chat);
      }
    } else {
      throw invalidType("input", input, "a string or an array of input items");
    }
    chat.append(']');
    return messages;
  }

  private static void item(JsonNode item, String at, List<Prompts.Message> messages, StringBuilder chat) {
    if (!item.isObject()) {
      throw invalidType(at, item, "an input item object");
    }
    String type = item.path("type").asText("message");
    switch (type) {
      case "message":
        message(item, at, messages, chat);
        break;
      case "function_call":
        {
          String callId = string(item, "call_id", at);
          String name = string(item, "name", at);
          String arguments = string(item, "arguments", at);
          // Consecutive calls make one assistant message, as a chat model would have sent them.
          Prompts.Message last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
          List<String> calls = new ArrayList<>(List.of(name, arguments));
          String call =
              "{\"id\":" + JsonText.quote(callId) + ",\"type\":\"function\",\"function\":{\"name\":"
                  + JsonText.quote(name) + ",\"arguments\":" + JsonText.quote(arguments) + "}}";
          if (last != null && last.role().equals("assistant") && last.texts().isEmpty() && !last.calls().isEmpty()) {
            calls.addAll(0, last.calls());
            messages.set(messages.size() - 1, new Prompts.Message("assistant", List.of(), null, calls));
            // Reopen the previous assistant message's tool_calls array to add this call.
            chat.setLength(chat.length() - 2);
            chat.append(',').append(call).append("]}");
          } else {
            messages.add(new Prompts.Message("assistant", List.of(), null, calls));
            separate(chat);
            chat.append("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[").append(call).append("]}");
          }
        }
        break;
      case "function_call_output":
        {
          String callId = string(item, "call_id", at);
          JsonNode output = item.get("output");
          if (!present(output) || !output.isTextual()) {
            throw invalidType(at + ".output", output, "a string");
          }
          messages.add(new Prompts.Message("tool", List.of(output.asText()), null));
          separate(chat);
          chat.append("{\"role\":\"tool\",\"tool_call_id\":").append(JsonText.quote(callId))
              .append(",\"content\":").append(JsonText.quote(output.asText())).append('}');
        }
        break;
      default:
        throw OpenAiError.invalid(
            at + ".type", "invalid_value",
            at + ".type: " + describe(item.get("type"))
                + " (expected: message, function_call or function_call_output)");
    }
  }

  private static void message(JsonNode item, String at, List<Prompts.Message> messages, StringBuilder chat) {
    JsonNode roleNode = item.get("role");
    String role = roleNode == null ? "" : roleNode.asText("");
    if (!List.of("user", "assistant", "system", "developer").contains(role)) {
      throw OpenAiError.invalid(
          at + ".role", "invalid_value",
          at + ".role: " + (roleNode == null ? "missing" : describe(roleNode))
              + " (expected: user, assistant, system or developer)");
    }
    JsonNode content = item.get("content");
    List<String> texts = new ArrayList<>(1);
    if (content != null && content.isTextual()) {
      texts.add(content.asText());
    } else if (content != null && content.isArray()) {
      for (int p = 0; p < content.size(); p++) {
        JsonNode part = content.get(p);
        String partType = part.path("type").asText("");
        if (partType.equals("input_text") || partType.equals("output_text") || partType.equals("text")) {
          JsonNode text = part.get("text");
          if (text == null || !text.isTextual()) {
            throw invalidType(at + ".content[" + p + "].text", text, "a string");
          }
          texts.add(text.asText());
        } else if (!partType.startsWith("input_") && !partType.equals("refusal")) {
          throw OpenAiError.invalid(
              at + ".content[" + p + "].type", "invalid_value",
              at + ".content[" + p + "].type: " + describe(part.get("type"))
                  + " (expected: input_text, output_text, input_image, input_file or input_audio)");
        }
      }
    } else {
      throw invalidType(at + ".content", content, "a string or an array of content parts");
    }
    messages.add(new Prompts.Message(role, texts, null));
    chatMessage(chat, role, String.join("", texts));
  }

  private static String string(JsonNode item, String field, String at) {
    JsonNode value = item.get(field);
    if (!present(value)) {
      throw missing(at + "." + field, "a string");
    }
    if (!value.isTextual()) {
      throw invalidType(at + "." + field, value, "a string");
    }
    return value.asText();
  }

  private static void chatMessage(StringBuilder chat, String role, String content) {
    separate(chat);
    chat.append("{\"role\":").append(JsonText.quote(role)).append(",\"content\":")
        .append(JsonText.quote(content)).append('}');
  }

  private static void separate(StringBuilder chat) {
    if (chat.length() > 1) {
      chat.append(',');
    }
  }

  /** The request in the chat-completions shape, for upstreams: messages, tools, choice, format. */
  private static String passThrough(JsonNode root, StringBuilder messages, OutputSpec spec) {
    StringBuilder out = new StringBuilder(messages.length() + 256);
    out.append("\"messages\":").append(messages);
    JsonNode tools = root.get("tools");
    if (present(tools) && !spec.tools().isEmpty()) {
      out.append(",\"tools\":[");
      for (int i = 0; i < tools.size(); i++) {
        JsonNode tool = tools.get(i);
        if (i > 0) {
          out.append(',');
        }
        out.append("{\"type\":\"function\",\"function\":{\"name\":").append(tool.get("name"));
        for (String member : List.of("description", "parameters", "strict")) {
          if (present(tool.get(member))) {
            out.append(",\"").append(member).append("\":").append(tool.get(member));
          }
        }
        out.append("}}");
      }
      out.append(']');
      out.append(",\"tool_choice\":").append(chatToolChoice(spec.toolChoice()));
      out.append(",\"parallel_tool_calls\":").append(spec.parallelToolCalls());
    }
    JsonNode format = root.path("text").path("format");
    if (format.isObject()) {
      String type = format.path("type").asText("");
      if (type.equals("json_schema")) {
        out.append(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{");
        boolean first = true;
        for (String member : List.of("name", "description", "schema", "strict")) {
          if (present(format.get(member))) {
            out.append(first ? "" : ",").append('"').append(member).append("\":").append(format.get(member));
            first = false;
          }
        }
        out.append("}}");
      } else if (type.equals("json_object") || type.equals("text")) {
        out.append(",\"response_format\":{\"type\":").append(JsonText.quote(type)).append('}');
      }
    }
    return out.toString();
  }

  private static String chatToolChoice(OutputSpec.ToolChoice choice) {
    switch (choice.mode()) {
      case NAMED:
        return "{\"type\":\"function\",\"function\":{\"name\":" + JsonText.quote(choice.function()) + "}}";
      case REQUIRED:
        return "\"required\"";
      case NONE:
        return "\"none\"";
      case AUTO:
      default:
        return "\"auto\"";
    }
  }

  /** What a response object repeats of its request, as JSON object members. */
  private static String echo(
      JsonNode root, OutputFields.Parsed output, SamplingParams sampling, int maxOutputTokens) {
    StringBuilder out = new StringBuilder(256);
    out.append("\"instructions\":");
    JsonNode instructions = root.get("instructions");
    out.append(present(instructions) ? instructions.toString() : "null");
    out.append(",\"max_output_tokens\":").append(maxOutputTokens < 0 ? "null" : Integer.toString(maxOutputTokens));
    JsonNode metadata = root.get("metadata");
    out.append(",\"metadata\":").append(present(metadata) ? metadata.toString() : "{}");
    out.append(",\"parallel_tool_calls\":").append(output.spec().parallelToolCalls());
    out.append(",\"previous_response_id\":null,\"store\":false");
    out.append(",\"temperature\":").append(JsonText.decimal(sampling.temperature()));
    JsonNode format = root.path("text").path("format");
    out.append(",\"text\":{\"format\":").append(format.isObject() ? format.toString() : "{\"type\":\"text\"}").append('}');
    OutputSpec.ToolChoice choice = output.spec().toolChoice();
    out.append(",\"tool_choice\":");
    if (choice.mode() == OutputSpec.ToolMode.NAMED) {
      out.append("{\"type\":\"function\",\"name\":").append(JsonText.quote(choice.function())).append('}');
    } else {
      out.append('"').append(present(root.get("tool_choice")) ? root.get("tool_choice").asText() : "auto").append('"');
    }
    out.append(",\"tools\":[");
    JsonNode tools = root.get("tools");
    List<OutputFields.Function> functions = output.functions();
    for (int i = 0; i < functions.size(); i++) {
      OutputFields.Function f = functions.get(i);
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"type\":\"function\",\"name\":").append(JsonText.quote(f.name()))
          .append(",\"description\":").append(f.description().isEmpty() ? "null" : JsonText.quote(f.description()))
          .append(",\"parameters\":").append(f.parameters())
          .append(",\"strict\":").append(tools.get(i).path("strict").asBoolean(false)).append('}');
    }
    out.append("],\"top_p\":").append(JsonText.decimal(sampling.topP()));
    out.append(",\"truncation\":\"disabled\"");
    return out.toString();
  }

}
