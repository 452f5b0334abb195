package dev.spillway.backends.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.Answer;
import dev.spillway.backends.wire.FieldError;
import dev.spillway.backends.wire.JsonText;
import dev.spillway.backends.wire.OutputFields;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads chat completion requests and writes chat completion responses and stream chunks, in the shapes
 * of OpenAI's API.
 *
 * <p>Prompt length is an estimate: this server has no tokenizer, so a prompt of {@code c} characters
 * (Unicode code points over all message contents, text parts only, plus the characters of the
 * {@code tools} and {@code response_format} JSON) counts as {@code max(1, ceil(c / 4))} tokens, the
 * usual rule of thumb for English under BPE vocabularies. The gateway counts with a real tokenizer;
 * clients that compare {@code usage.prompt_tokens} with their own count will see the difference.
 *
 * <p>Unknown fields are accepted and ignored, and JSON {@code null} means the field is absent, since
 * load testers send both (GuideLLM sends {@code "stop": null}, vLLM's bench sends {@code ignore_eos}).
 */
final class ChatCodec {

  static final int DEFAULT_MAX_TOKENS = 256;
  static final int CHARS_PER_TOKEN = 4;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ChatCodec() {}

  // ---------------------------------------------------------------- requests

  /** Parses a request body; bad input is an {@link ApiError} of status 400. */
  static ChatRequest parse(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiError.invalid(
          null, "request body: malformed JSON (" + firstLine(e.getMessage()) + ") (expected: a JSON object)");
    }
    if (root == null || !root.isObject()) {
      throw ApiError.invalid(
          null, "request body: " + kind(root) + " (expected: a JSON object)");
    }
    String model = requiredString(root, "model");
    Prompt prompt = prompt(root.get("messages"));
    int maxTokens = maxTokens(root);
    boolean stream = bool(root, "stream", false);
    boolean includeUsage = false;
    JsonNode streamOptions = root.get("stream_options");
    if (present(streamOptions)) {
      if (!streamOptions.isObject()) {
        throw ApiError.invalid(
            "stream_options",
            "stream_options: " + kind(streamOptions) + " (expected: an object or null)");
      }
      includeUsage = bool(streamOptions, "include_usage", false);
    }
    JsonNode n = root.get("n");
    if (present(n) && !(n.isNumber() && n.canConvertToExactIntegral() && n.asLong() == 1)) {
      throw ApiError.invalid("n", "n: " + n + " (expected: 1; this server returns one choice)");
    }
    double temperature = number(root, "temperature", 1.0);
    if (!(temperature >= 0 && temperature <= 2)) {
      throw ApiError.invalid("temperature", "temperature: " + temperature + " (expected: 0 to 2)");
    }
    double topP = number(root, "top_p", 1.0);
    if (!(topP >= 0 && topP <= 1)) {
      throw ApiError.invalid("top_p", "top_p: " + topP + " (expected: 0 to 1)");
    }
    SamplingParams sampling = new SamplingParams(temperature, topP, seed(root), stop(root));
    ServiceTier tier = tier(root);
    String user = optionalString(root, "user");
    String tenant = user == null || user.isBlank() ? "default" : user;
    OutputSpec output;
    try {
      JsonNode messages = root.get("messages");
      boolean toolResultsLast = "tool".equals(messages.get(messages.size() - 1).path("role").asText());
      output = OutputFields.chat(root, toolResultsLast).spec();
    } catch (FieldError e) {
      throw new ApiError(400, ApiError.INVALID_REQUEST, e.getMessage(), e.param(), e.code());
    }
    // Tools and a response schema are shown to the model too: their JSON counts as text does.
    long shown = prompt.chars;
    for (String field : List.of("tools", "response_format")) {
      JsonNode value = root.get(field);
      if (present(value)) {
        shown += value.toString().length();
      }
    }
    Prompt counted = new Prompt(prompt.text, shown);
    return new ChatRequest(
        model, prompt.text, counted.tokens(), maxTokens, stream, includeUsage, sampling, tier, tenant,
        output);
  }

  /** The message contents, joined, and their length in code points. */
  private static final class Prompt {
    final String text;
    final long chars;

    Prompt(String text, long chars) {
      this.text = text;
      this.chars = chars;
    }

    int tokens() {
      long tokens = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
      return (int) Math.min(Integer.MAX_VALUE, Math.max(1, tokens));
    }
  }

  private static Prompt prompt(JsonNode messages) {
    if (!present(messages)) {
      throw ApiError.invalid("messages", "messages: missing (expected: a non-empty array of messages)");
    }
    if (!messages.isArray()) {
      throw ApiError.invalid(
          "messages", "messages: " + kind(messages) + " (expected: a non-empty array of messages)");
    }
    if (messages.isEmpty()) {
      throw ApiError.invalid("messages", "messages: [] (expected: a non-empty array of messages)");
    }
    StringBuilder text = new StringBuilder();
    long chars = 0;
    for (int i = 0; i < messages.size(); i++) {
      String field = "messages[" + i + "]";
      JsonNode message = messages.get(i);
      if (!message.isObject()) {
        throw ApiError.invalid(field, field + ": " + kind(message) + " (expected: a message object)");
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual()) {
        throw ApiError.invalid(
            field + ".role",
            field + ".role: " + kind(role) + " (expected: system, developer, user, assistant or tool)");
      }
      JsonNode content = message.get("content");
      if (!present(content)) {
        continue; // an assistant message that only carries tool_calls
      }
      if (i > 0 && text.length() > 0) {
        text.append('\n');
      }
      if (content.isTextual()) {
        String s = content.asText();
        text.append(s);
        chars += s.codePointCount(0, s.length());
      } else if (content.isArray()) {
        for (int p = 0; p < content.size(); p++) {
          String partField = field + ".content[" + p + "]";
          JsonNode part = content.get(p);
          if (!part.isObject()) {
            throw ApiError.invalid(
                partField, partField + ": " + kind(part) + " (expected: a content part object)");
          }
          if (!"text".equals(part.path("type").asText())) {
            continue; // images, audio and files carry no text to count
          }
          JsonNode partText = part.get("text");
          if (partText == null || !partText.isTextual()) {
            throw ApiError.invalid(
                partField + ".text", partField + ".text: " + kind(partText) + " (expected: a string)");
          }
          String s = partText.asText();
          text.append(s);
          chars += s.codePointCount(0, s.length());
        }
      } else {
        throw ApiError.invalid(
            field + ".content",
            field + ".content: " + kind(content)
                + " (expected: a string, an array of content parts or null)");
      }
    }
    return new Prompt(text.toString(), chars);
  }

  private static int maxTokens(JsonNode root) {
    String field = present(root.get("max_completion_tokens")) ? "max_completion_tokens" : "max_tokens";
    JsonNode value = root.get(field);
    if (!present(value)) {
      return DEFAULT_MAX_TOKENS;
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral()) {
      throw ApiError.invalid(field, field + ": " + value + " (expected: an integer >= 1)");
    }
    if (!value.canConvertToInt() || value.intValue() < 1) {
      throw ApiError.invalid(
          field, field + ": " + value + " (expected: an integer from 1 to " + Integer.MAX_VALUE + ")");
    }
    return value.intValue();
  }

  private static OptionalLong seed(JsonNode root) {
    JsonNode value = root.get("seed");
    if (!present(value)) {
      return OptionalLong.empty();
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw ApiError.invalid("seed", "seed: " + value + " (expected: a 64-bit integer)");
    }
    return OptionalLong.of(value.longValue());
  }

  private static List<String> stop(JsonNode root) {
    JsonNode value = root.get("stop");
    if (!present(value)) {
      return List.of();
    }
    if (value.isTextual()) {
      return List.of(value.asText());
    }
    if (value.isArray()) {
      List<String> stops = new ArrayList<>(value.size());
      for (JsonNode stop : value) {
        if (!stop.isTextual()) {
          throw ApiError.invalid(
              "stop", "stop: " + value + " (expected: a string or an array of strings)");
        }
        stops.add(stop.asText());
      }
      return stops;
    }
    throw ApiError.invalid("stop", "stop: " + kind(value) + " (expected: a string or an array of strings)");
  }

  private static ServiceTier tier(JsonNode root) {
    String value = optionalString(root, "service_tier");
    if (value == null) {
      return ServiceTier.DEFAULT;
    }
    try {
      return ServiceTier.fromWire(value);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("service_tier", e.getMessage());
    }
  }

  private static String requiredString(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      throw ApiError.invalid(field, field + ": missing (expected: a string)");
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw ApiError.invalid(field, field + ": " + kind(value) + " (expected: a non-empty string)");
    }
    return value.asText();
  }

  private static String optionalString(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      return null;
    }
    if (!value.isTextual()) {
      throw ApiError.invalid(field, field + ": " + kind(value) + " (expected: a string or null)");
    }
    return value.asText();
  }

  private static boolean bool(JsonNode object, String field, boolean fallback) {
    JsonNode value = object.get(field);
    if (!present(value)) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw ApiError.invalid(field, field + ": " + kind(value) + " (expected: true, false or null)");
    }
    return value.booleanValue();
  }

  private static double number(JsonNode root, String field, double fallback) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      return fallback;
    }
    if (!value.isNumber()) {
      throw ApiError.invalid(field, field + ": " + kind(value) + " (expected: a number or null)");
    }
    return value.doubleValue();
  }

  private static boolean present(JsonNode value) {
    return value != null && !value.isNull() && !value.isMissingNode();
  }

  /** A short description of a value for error messages: the value itself if scalar, else its type. */
  private static String kind(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "missing";
    }
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "an array";
    }
    String text = value.toString();
    return text.length() > 64 ? text.substring(0, 61) + "..." : text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  // ---------------------------------------------------------------- responses

  /** The {@code chat.completion} body of a non-streaming response. */
  static String completion(
      String id, long created, String model, Answer answer, String finishReason, Usage usage) {
    String content = answer.content();
    StringBuilder json = new StringBuilder(256 + content.length() + model.length());
    json.append("{\"id\":");
    JsonText.string(json, id);
    json.append(",\"object\":\"chat.completion\",\"created\":").append(created).append(",\"model\":");
    JsonText.string(json, model);
    json.append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",");
    answer.appendMessageMembers(json);
    json.append(",\"refusal\":null},\"logprobs\":null,\"finish_reason\":");
    JsonText.string(json, finishReason);
    json.append("}],\"usage\":");
    usage(json, usage);
    return json.append('}').toString();
  }

  private static StringBuilder usage(StringBuilder json, Usage usage) {
    return json.append("{\"prompt_tokens\":").append(usage.promptTokens())
        .append(",\"completion_tokens\":").append(usage.completionTokens())
        .append(",\"total_tokens\":").append(usage.totalTokens())
        .append('}');
  }

  /**
   * The {@code chat.completion.chunk} events of one streamed response, as SSE frames
   * ({@code data: JSON\n\n}). Every chunk shares the id, created time and model; when usage was asked
   * for, every chunk but the last carries {@code "usage":null}, as OpenAI's do.
   */
  static final class Chunks {
    static final String DONE = "data: [DONE]\n\n";

    private final String prefix;
    private final String suffix;

    Chunks(String id, long created, String model, boolean includeUsage) {
      StringBuilder p = new StringBuilder(128);
      p.append("data: {\"id\":");
      JsonText.string(p, id);
      p.append(",\"object\":\"chat.completion.chunk\",\"created\":").append(created).append(",\"model\":");
      JsonText.string(p, model);
      p.append(",\"choices\":[");
      this.prefix = p.toString();
      this.suffix = includeUsage ? "],\"usage\":null}\n\n" : "]}\n\n";
    }

    /** The first chunk: the assistant role with empty content. */
    String role() {
      return prefix
          + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
          + "\"finish_reason\":null}"
          + suffix;
    }

    /** One token of content or of a tool call's arguments ({@code first}: the call's first). */
    String token(TokenEvent.Token token, boolean first) {
      String text = token.text();
      StringBuilder s = new StringBuilder(prefix.length() + suffix.length() + 120 + text.length());
      s.append(prefix).append("{\"index\":0,\"delta\":");
      if (token.call() != null) {
        Answer.toolCallDelta(s, token, first);
      } else {
        s.append("{\"content\":");
        JsonText.string(s, text);
        s.append('}');
      }
      return s.append(",\"logprobs\":null,\"finish_reason\":null}").append(suffix).toString();
    }

    /** The chunk that ends the choice: an empty delta and the finish reason. */
    String finish(String reason) {
      StringBuilder s = new StringBuilder(prefix.length() + suffix.length() + 80);
      s.append(prefix).append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":");
      JsonText.string(s, reason);
      return s.append('}').append(suffix).toString();
    }

    /** The usage chunk sent before {@code [DONE]} when asked for: no choices. */
    String usage(Usage usage) {
      StringBuilder s = new StringBuilder(prefix.length() + 96);
      s.append(prefix).append("],\"usage\":");
      ChatCodec.usage(s, usage);
      return s.append("}\n\n").toString();
    }

    /** An error after the stream started: the only way to report one once the status is 200. */
    static String error(ApiError error) {
      return "data: " + error.toJson() + "\n\n";
    }
  }
}
