package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.api.openai.PromptMeasures;
import dev.spillway.gateway.api.openai.PromptMeasures.ChatMessage;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import dev.spillway.gateway.core.GatewayRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Parses and validates Bedrock request bodies into {@link BedrockRequest}s: Converse's
 * {@code messages}, {@code system}, {@code inferenceConfig}, {@code serviceTier} and
 * {@code performanceConfig}, and InvokeModel's Meta Llama body ({@code prompt}, {@code max_gen_len},
 * {@code temperature}, {@code top_p}) with the tier and latency in {@code X-Amzn-Bedrock-*} headers.
 * Every bad input is a {@link BedrockError}: a 400 {@code ValidationException} naming the field, or a
 * 404 {@code ResourceNotFoundException} for a model the gateway does not serve.
 *
 * <p>Implementation notes. As in the OpenAI parser, structure and cheap fields are checked first, then
 * the model is resolved, then the prompt is tokenised and the output budget checked against the
 * model's context. Unknown fields are ignored (Bedrock's {@code additionalModelRequestFields} among
 * them), and JSON {@code null} means absent. Content blocks other than text (images, documents,
 * tool use) are refused: the gateway serves text models.
 *
 * <p>Service tiers: {@code priority}, {@code default} and {@code flex} are Spillway's tiers of the
 * same names; {@code reserved} (capacity bought ahead) is served as {@code priority}. A latency of
 * {@code optimized} without a tier asks for {@code priority}, whose queue drains first and whose
 * latency objective SLO-aware routing holds the request to; {@code standard} changes nothing.
 */
public final class BedrockParser {

  /** InvokeModel's service tier header. */
  public static final String SERVICE_TIER_HEADER = "x-amzn-bedrock-service-tier";
  /** InvokeModel's latency header. */
  public static final String LATENCY_HEADER = "x-amzn-bedrock-performanceconfig-latency";

  /** Bedrock's Meta Llama defaults for {@code temperature} and {@code top_p}. */
  static final double LLAMA_TEMPERATURE = 0.5;
  static final double LLAMA_TOP_P = 0.9;
  /** Converse's limit on {@code stopSequences}. */
  static final int MAX_STOP_SEQUENCES = 2500;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private BedrockParser() {}

  /**
   * Parses one request.
   *
   * @param modelId the path's model id, percent-decoded
   * @param requestId becomes the core request's id
   * @param headers the request's header values by lower-case name, null when absent
   * @param models resolves a model name or alias, as {@code Gateway.model} does
   * @throws BedrockError for every bad input
   */
  public static BedrockRequest parse(
      BedrockOperation operation,
      String modelId,
      byte[] body,
      String requestId,
      Function<String, String> headers,
      Function<String, Optional<ModelInfo>> models) {
    return parse(operation, modelId, body, requestId, headers, models, BedrockModelId.GEOGRAPHIES);
  }

  /** As the other {@code parse}, with {@code geographies} as the inference profile prefixes. */
  public static BedrockRequest parse(
      BedrockOperation operation,
      String modelId,
      byte[] body,
      String requestId,
      Function<String, String> headers,
      Function<String, Optional<ModelInfo>> models,
      Collection<String> geographies) {
    requireNonNull(operation, "operation");
    requireNonNull(modelId, "modelId");
    requireNonNull(body, "body");
    requireNonNull(requestId, "requestId");
    requireNonNull(headers, "headers");
    requireNonNull(models, "models");

    BedrockModelId id = BedrockModelId.parse(modelId, geographies);
    JsonNode root = readObject(body);
    Optional<String> tierName;
    Optional<String> latency;
    if (operation.invoke()) {
      tierName = Optional.ofNullable(headers.apply(SERVICE_TIER_HEADER)).map(String::strip);
      latency = Optional.ofNullable(headers.apply(LATENCY_HEADER)).map(String::strip);
    } else {
      tierName = serviceTier(root.get("serviceTier"));
      latency = latency(root.get("performanceConfig"));
    }
    ServiceTier tier = tier(tierName, latency, operation.invoke());
    String tenant = tenant(headers.apply(OpenAiParser.TENANT_HEADER));

    ModelInfo model =
        id.resolve(models)
            .orElseThrow(
                () -> BedrockError.notFound(
                    "modelId: " + modelId + " (expected: a model this gateway serves, by its Bedrock"
                        + " id, inference profile or configured name)"));
    if (model.embedding()) {
      throw BedrockError.validation(
          "modelId: " + modelId + " is an embedding model (expected: a model that generates text)");
    }
    int context = model.contextTokens() > 0 ? model.contextTokens() : Integer.MAX_VALUE;

    String promptText;
    int promptTokens;
    int maxTokens;
    SamplingParams sampling;
    String canonical;
    if (operation.invoke()) {
      promptText = text(root, "prompt");
      promptTokens = Math.max(1, PromptMeasures.textTokens(promptText));
      int left = contextLeft("prompt", promptTokens, context);
      maxTokens = maxTokens(root.get("max_gen_len"), "max_gen_len", model, left, promptTokens, context);
      sampling =
          new SamplingParams(
              unit(root.get("temperature"), "temperature", LLAMA_TEMPERATURE),
              unit(root.get("top_p"), "top_p", LLAMA_TOP_P),
              OptionalLong.empty(),
              List.of());
      canonical = "invoke\n" + promptText;
    } else {
      List<ChatMessage> messages = new ArrayList<>();
      system(root.get("system"), messages);
      messages(root.get("messages"), messages);
      refuseTools(root);
      promptTokens = PromptMeasures.chatTokens(messages);
      promptText = PromptMeasures.chatText(messages);
      int left = contextLeft("messages", promptTokens, context);
      JsonNode config = root.get("inferenceConfig");
      if (present(config) && !config.isObject()) {
        throw invalid("inferenceConfig", config, "an object");
      }
      JsonNode c = present(config) ? config : MAPPER.createObjectNode();
      maxTokens = maxTokens(c.get("maxTokens"), "inferenceConfig.maxTokens", model, left, promptTokens, context);
      sampling =
          new SamplingParams(
              unit(c.get("temperature"), "inferenceConfig.temperature", LLAMA_TEMPERATURE),
              unit(c.get("topP"), "inferenceConfig.topP", LLAMA_TOP_P),
              OptionalLong.empty(),
              stopSequences(c.get("stopSequences")));
      canonical = "converse\n" + canonical(root);
    }

    GatewayRequest core =
        new GatewayRequest(
            requestId,
            model.name(),
            promptTokens,
            maxTokens,
            promptText,
            PromptMeasures.prefixHash(promptText),
            sampling,
            tier,
            tenant,
            Optional.empty(),
            false,
            model.cached() && GatewayRequest.deterministic(sampling) ? canonical : "");
    return new BedrockRequest(operation, core, model, id, tierName, latency);
  }

  // ---------------------------------------------------------------- body

  private static JsonNode readObject(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      String detail = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw BedrockError.validation("body: malformed JSON (" + detail + ") (expected: a JSON object)");
    }
    if (root == null || root.isMissingNode()) {
      throw BedrockError.validation("body: empty (expected: a JSON object)");
    }
    if (!root.isObject()) {
      throw invalid("body", root, "a JSON object");
    }
    return root;
  }

  private static boolean present(JsonNode value) {
    return value != null && !value.isNull() && !value.isMissingNode();
  }

  private static BedrockError invalid(String field, JsonNode value, String expected) {
    return BedrockError.validation(field + ": " + describe(value) + " (expected: " + expected + ")");
  }

  /** A value as an error message shows it: short, on one line. */
  private static String describe(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "missing";
    }
    String text = value.toString();
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  private static String text(JsonNode root, String field) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      throw BedrockError.validation(field + ": missing (expected: a string)");
    }
    if (!value.isTextual()) {
      throw invalid(field, value, "a string");
    }
    return value.asText();
  }

  // ---------------------------------------------------------------- Converse content

  private static void system(JsonNode system, List<ChatMessage> messages) {
    if (!present(system)) {
      return;
    }
    if (!system.isArray()) {
      throw invalid("system", system, "an array of system content blocks");
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < system.size(); i++) {
      blockText(system.get(i), "system[" + i + "]", texts);
    }
    if (!texts.isEmpty()) {
      messages.add(new ChatMessage("system", texts));
    }
  }

  private static void messages(JsonNode value, List<ChatMessage> messages) {
    if (!present(value)) {
      throw BedrockError.validation("messages: missing (expected: an array of messages)");
    }
    if (!value.isArray() || value.isEmpty()) {
      throw invalid("messages", value, "an array of at least one message");
    }
    for (int i = 0; i < value.size(); i++) {
      String field = "messages[" + i + "]";
      JsonNode message = value.get(i);
      if (!message.isObject()) {
        throw invalid(field, message, "an object with role and content");
      }
      JsonNode role = message.get("role");
      if (!present(role) || !role.isTextual()
          || !(role.asText().equals("user") || role.asText().equals("assistant"))) {
        throw invalid(field + ".role", role, "user or assistant");
      }
      JsonNode content = message.get("content");
      if (!present(content) || !content.isArray()) {
        throw invalid(field + ".content", content, "an array of content blocks");
      }
      List<String> texts = new ArrayList<>(content.size());
      for (int j = 0; j < content.size(); j++) {
        blockText(content.get(j), field + ".content[" + j + "]", texts);
      }
      messages.add(new ChatMessage(role.asText(), texts));
    }
    if (!messages.get(messages.size() - 1).role().equals("user")) {
      throw BedrockError.validation(
          "messages[" + (value.size() - 1) + "].role: assistant (expected: the last message from user)");
    }
  }

  /** A content block's text, added to {@code texts}; cache points are skipped. */
  private static void blockText(JsonNode block, String field, List<String> texts) {
    if (block == null || !block.isObject()) {
      throw invalid(field, block, "a content block object");
    }
    JsonNode text = block.get("text");
    if (present(text)) {
      if (!text.isTextual()) {
        throw invalid(field + ".text", text, "a string");
      }
      texts.add(text.asText());
      return;
    }
    if (present(block.get("cachePoint"))) {
      return;
    }
    String member = block.fieldNames().hasNext() ? block.fieldNames().next() : "{}";
    throw BedrockError.validation(
        field + ": " + member + " (expected: a text block; the gateway serves text models)");
  }

  private static void refuseTools(JsonNode root) {
    JsonNode tools = root.get("toolConfig");
    if (present(tools)) {
      throw BedrockError.validation(
          "toolConfig: " + describe(tools) + " (expected: absent; the gateway does not call tools)");
    }
  }

  /**
   * The request as the response cache keys it: the system and messages, in a fixed member order.
   * Sampling and the output budget are keyed by the cache itself.
   */
  private static String canonical(JsonNode root) {
    try {
      return MAPPER.writeValueAsString(root.get("system")) + "\n" + MAPPER.writeValueAsString(root.get("messages"));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree: not writable", e);
    }
  }

  // ---------------------------------------------------------------- numbers

  private static int contextLeft(String field, int promptTokens, int context) {
    int left = context - promptTokens;
    if (left < 1) {
      throw BedrockError.validation(
          field + ": " + promptTokens + " tokens (expected: at most " + (context - 1)
              + ", so that one output token fits the model's context of " + context + " tokens)");
    }
    return left;
  }

  private static int maxTokens(
      JsonNode value, String field, ModelInfo model, int left, int promptTokens, int context) {
    if (!present(value)) {
      return Math.min(Math.max(1, model.defaultMaxTokens()), left);
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral() || value.decimalValue().signum() <= 0) {
      throw invalid(field, value, "an integer >= 1");
    }
    if (!value.canConvertToInt() || value.intValue() > left) {
      throw invalid(
          field, value,
          "at most " + left + ", the model's context of " + context + " tokens less the prompt's "
              + promptTokens);
    }
    return value.intValue();
  }

  /** A number from 0 to 1: Bedrock's range for temperature and top-p alike. */
  private static double unit(JsonNode value, String field, double fallback) {
    if (!present(value)) {
      return fallback;
    }
    if (!value.isNumber() || value.doubleValue() < 0 || value.doubleValue() > 1) {
      throw invalid(field, value, "a number from 0 to 1");
    }
    return value.doubleValue();
  }

  private static List<String> stopSequences(JsonNode value) {
    String field = "inferenceConfig.stopSequences";
    if (!present(value)) {
      return List.of();
    }
    if (!value.isArray()) {
      throw invalid(field, value, "an array of strings");
    }
    if (value.size() > MAX_STOP_SEQUENCES) {
      throw BedrockError.validation(
          field + ": " + value.size() + " sequences (expected: at most " + MAX_STOP_SEQUENCES + ")");
    }
    List<String> stops = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      JsonNode stop = value.get(i);
      if (!stop.isTextual() || stop.asText().isEmpty()) {
        throw invalid(field + "[" + i + "]", stop, "a non-empty string");
      }
      stops.add(stop.asText());
    }
    return stops;
  }

  // ---------------------------------------------------------------- tiers

  private static Optional<String> serviceTier(JsonNode value) {
    if (!present(value)) {
      return Optional.empty();
    }
    JsonNode type = value.isObject() ? value.get("type") : null;
    if (type == null || !type.isTextual()) {
      throw invalid("serviceTier", value, "an object with type priority, default, flex or reserved");
    }
    return Optional.of(type.asText());
  }

  private static Optional<String> latency(JsonNode value) {
    if (!present(value)) {
      return Optional.empty();
    }
    JsonNode latency = value.isObject() ? value.get("latency") : null;
    if (!present(latency)) {
      return Optional.empty();
    }
    if (!latency.isTextual()) {
      throw invalid("performanceConfig.latency", latency, "standard or optimized");
    }
    return Optional.of(latency.asText());
  }

  private static ServiceTier tier(Optional<String> tier, Optional<String> latency, boolean invoke) {
    String latencyField = invoke ? "X-Amzn-Bedrock-PerformanceConfig-Latency" : "performanceConfig.latency";
    if (latency.isPresent() && !latency.get().equals("standard") && !latency.get().equals("optimized")) {
      throw BedrockError.validation(latencyField + ": " + latency.get() + " (expected: standard or optimized)");
    }
    if (tier.isEmpty()) {
      return latency.filter("optimized"::equals).isPresent() ? ServiceTier.PRIORITY : ServiceTier.DEFAULT;
    }
    switch (tier.get()) {
      case "priority":
      case "reserved":
        return ServiceTier.PRIORITY;
      case "default":
        return ServiceTier.DEFAULT;
      case "flex":
        return ServiceTier.FLEX;
      default:
        throw BedrockError.validation(
            (invoke ? "X-Amzn-Bedrock-Service-Tier" : "serviceTier.type") + ": " + tier.get()
                + " (expected: priority, default, flex or reserved)");
    }
  }

  private static String tenant(String header) {
    if (header == null || header.isBlank()) {
      return OpenAiParser.ANONYMOUS;
    }
    String tenant = header.strip();
    if (tenant.length() > 256 || !tenant.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw BedrockError.validation(
          OpenAiParser.TENANT_HEADER + ": " + (tenant.length() > 40 ? tenant.substring(0, 40) + "..." : tenant)
              + " (expected: at most 256 printable characters)");
    }
    return tenant;
  }
}
