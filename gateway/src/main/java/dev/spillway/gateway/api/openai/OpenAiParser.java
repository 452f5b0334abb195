package dev.spillway.gateway.api.openai;

import static dev.spillway.gateway.api.openai.JsonFields.abbreviate;
import static dev.spillway.gateway.api.openai.JsonFields.bool;
import static dev.spillway.gateway.api.openai.JsonFields.describe;
import static dev.spillway.gateway.api.openai.JsonFields.firstLine;
import static dev.spillway.gateway.api.openai.JsonFields.invalidType;
import static dev.spillway.gateway.api.openai.JsonFields.missing;
import static dev.spillway.gateway.api.openai.JsonFields.number;
import static dev.spillway.gateway.api.openai.JsonFields.optionalString;
import static dev.spillway.gateway.api.openai.JsonFields.present;
import static dev.spillway.gateway.api.openai.JsonFields.printable;
import static dev.spillway.gateway.api.openai.JsonFields.requiredString;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.wire.FieldError;
import dev.spillway.backends.wire.OutputFields;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import dev.spillway.gateway.core.GatewayRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Parses and validates the bodies of {@code POST /v1/chat/completions}, {@code /v1/completions} and
 * {@code /v1/embeddings} into {@link OpenAiRequest}s ({@code /v1/responses} goes to
 * {@link ResponsesParser}, which shares the checks here). Chat's {@code tools}, {@code tool_choice}
 * and {@code response_format} are read by the backends' {@code OutputFields}, shared with the
 * emulator server. Every bad input is an {@link OpenAiError} (a 4xx
 * in OpenAI's shape, naming the field in {@code param}); nothing here answers 5xx for client input.
 *
 * <p>Implementation notes. Fields are checked in three passes: structure and cheap fields first, then
 * the model is resolved (404 {@code model_not_found}), then the prompt is tokenised and the output
 * budget checked against the model's context ({@code context_length_exceeded}). Unknown fields are
 * accepted and ignored, and JSON {@code null} means absent: load testers send both ({@code "stop":null},
 * {@code ignore_eos}, {@code top_k}). Tokenising runs on the calling thread; the body is bounded by the
 * server's size limit, which bounds that work.
 * Prompts are read and counted by {@link Prompts}; field types by {@link JsonFields}.
 */
public final class OpenAiParser {

  /** Header naming the tenant; wins over the body's {@code user}. */
  public static final String TENANT_HEADER = "x-spillway-tenant";
  /** Header with the request's own time-to-first-token objective, in milliseconds. */
  public static final String SLO_TTFT_HEADER = "x-spillway-slo-ttft-ms";
  /** Header with the request's own time-per-output-token objective, in milliseconds. */
  public static final String SLO_TPOT_HEADER = "x-spillway-slo-tpot-ms";
  /** The tenant of a request that names none. */
  public static final String ANONYMOUS = "anonymous";

  /** OpenAI's default {@code max_tokens} for {@code /v1/completions}. */
  static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;
  static final int MAX_STOP_SEQUENCES = 4;
  static final int MAX_TENANT_LENGTH = 256;
  /** How much of the prompt the prefix hash covers. */
  static final int PREFIX_CHARS = 256;
  /**
   * The core's {@link GatewayRequest.Slo} needs both halves; a request that sets only one header gets
   * this for the other, which no latency will reach: in effect, no objective.
   */
  static final Duration NO_OBJECTIVE = Duration.ofDays(1);
  static final double MAX_SLO_MILLIS = NO_OBJECTIVE.toMillis();


  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private OpenAiParser() {}

  /**
   * Parses one request body.
   *
   * @param requestId becomes the core request's id
   * @param headers the request's header values by lower-case name, null when absent
   * @param models resolves a model name or alias, as {@code Gateway.model} does
   * @throws OpenAiError for every bad input
   */
  public static OpenAiRequest parse(
      Endpoint endpoint,
      byte[] body,
      String requestId,
      Function<String, String> headers,
      Function<String, Optional<ModelInfo>> models) {
    requireNonNull(endpoint, "endpoint");
    requireNonNull(body, "body");
    requireNonNull(requestId, "requestId");
    requireNonNull(headers, "headers");
    requireNonNull(models, "models");
    if (endpoint == Endpoint.RESPONSES) {
      return ResponsesParser.parse(body, requestId, headers, models);
    }

    JsonNode root = readObject(body);
    String modelName = requiredString(root, "model");
    List<Prompts.Message> messages = null;
    List<Prompts.Input> inputs;
    OutputFields.Parsed output = null;
    if (endpoint == Endpoint.CHAT_COMPLETIONS) {
      messages = Prompts.messages(root.get("messages"));
      inputs = List.of();
      boolean toolResultsLast = messages.get(messages.size() - 1).role().equals("tool");
      output = outputFields(() -> OutputFields.chat(root, toolResultsLast));
    } else if (endpoint == Endpoint.COMPLETIONS) {
      inputs = Prompts.inputs(root.get("prompt"), "prompt", false);
    } else {
      inputs = Prompts.inputs(root.get("input"), "input", true);
    }

    boolean generates = endpoint != Endpoint.EMBEDDINGS;
    SamplingParams sampling = generates ? sampling(root) : SamplingParams.DEFAULT;
    boolean stream = false;
    boolean includeUsage = false;
    boolean continuousUsage = false;
    if (generates) {
      checkN(root);
      stream = bool(root, "stream", false);
      JsonNode options = root.get("stream_options");
      // Only meaningful with stream: true; ignored otherwise rather than refused.
      if (present(options)) {
        if (!options.isObject()) {
          throw invalidType("stream_options", options, "an object or null");
        }
        includeUsage = bool(options, "include_usage", false);
        continuousUsage = includeUsage && bool(options, "continuous_usage_stats", false);
      }
    }
    boolean base64 = false;
    if (!generates) {
      base64 = encodingFormat(root);
    }
    ServiceTier tier = tier(root);
    String tenant = tenant(root, headers.apply(TENANT_HEADER));
    Optional<GatewayRequest.Slo> slo =
        slo(headers.apply(SLO_TTFT_HEADER), headers.apply(SLO_TPOT_HEADER));

    ModelInfo model = models.apply(modelName).orElseThrow(() -> OpenAiError.modelNotFound(modelName));
    if (model.embedding() == generates) {
      throw OpenAiError.invalid(
          "model", "model_not_supported",
          "model: " + modelName + (generates
              ? " is an embedding model (expected: a model that generates text; use /v1/embeddings)"
              : " generates text (expected: an embedding model)"));
    }
    int context = model.contextTokens() > 0 ? model.contextTokens() : Integer.MAX_VALUE;

    int promptTokens;
    String promptText;
    Optional<OpenAiRequest.EmbeddingOptions> embeddingOptions = Optional.empty();
    int maxOutputTokens;
    if (endpoint == Endpoint.CHAT_COMPLETIONS) {
      promptTokens =
          (int) Math.min(Integer.MAX_VALUE,
              (long) Prompts.chatTokens(messages) + PromptTokens.tools(output.functions())
                  + PromptTokens.responseFormat(output.schema()));
      promptText = Prompts.chatText(messages);
      int left = contextLeft("messages", promptTokens, context);
      String field = present(root.get("max_completion_tokens")) ? "max_completion_tokens" : "max_tokens";
      maxOutputTokens =
          maxTokens(root, field, promptTokens, context, Math.max(1, model.defaultMaxTokens()), left);
    } else if (endpoint == Endpoint.COMPLETIONS) {
      Prompts.Input prompt = inputs.get(0);
      // An empty prompt still costs the start-of-text token OpenAI puts before it.
      promptTokens = Math.max(1, prompt.tokens());
      promptText = prompt.text();
      int left = contextLeft("prompt", promptTokens, context);
      maxOutputTokens =
          maxTokens(root, "max_tokens", promptTokens, context, COMPLETIONS_DEFAULT_MAX_TOKENS, left);
    } else {
      long sum = 0;
      List<String> keys = new ArrayList<>(inputs.size());
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < inputs.size(); i++) {
        Prompts.Input input = inputs.get(i);
        int tokens = input.tokens();
        if (tokens > context) {
          throw OpenAiError.invalid(
              "input", "context_length_exceeded",
              "input[" + i + "]: " + tokens + " tokens (expected: at most " + context
                  + ", the model's context)");
        }
        sum += tokens;
        keys.add(input.key());
        if (i > 0) {
          text.append('\n');
        }
        text.append(input.text());
      }
      promptTokens = (int) Math.min(Integer.MAX_VALUE, Math.max(1, sum));
      promptText = text.toString();
      maxOutputTokens = 1;
      int dimensions = model.embeddingDimensions();
      if (dimensions < 1) {
        throw new IllegalStateException(
            "model " + model.name() + ": embeddingDimensions " + dimensions + " (expected: >= 1)");
      }
      embeddingOptions =
          Optional.of(new OpenAiRequest.EmbeddingOptions(keys, base64, dimensions(root, dimensions)));
    }

    GatewayRequest core =
        new GatewayRequest(
            requestId,
            modelName,
            promptTokens,
            maxOutputTokens,
            promptText,
            prefixHash(promptText),
            sampling,
            tier,
            tenant,
            slo,
            !generates,
            // Only a request that may be answered from a cache pays for its canonical form.
            generates && model.cached() && GatewayRequest.deterministic(sampling)
                ? CanonicalRequest.of(endpoint, root, body.length)
                : "",
            "",
            output == null
                ? OutputSpec.TEXT
                : output.spec().withPassThrough(OutputFields.chatPassThrough(root, output.spec())));
    return new OpenAiRequest(
        endpoint, core, model, stream, includeUsage, continuousUsage, embeddingOptions);
  }

  /**
   * Loads the tokenizer's vocabulary (a few hundred milliseconds, once per process). Blocking: call
   * it off the event loop, before serving, so the first request does not pay for it.
   */
  public static void warmUp() {
    PromptTokens.warmUp();
  }

  /** A 64-bit hash of the first {@value #PREFIX_CHARS} characters of the prompt text. */
  static long prefixHash(String prompt) {
    return Hashing.hash(prompt, 0, Math.min(prompt.length(), PREFIX_CHARS));
  }

  /** Reads the output fields, answering what they refuse with a 400 in OpenAI's shape. */
  static OutputFields.Parsed outputFields(Supplier<OutputFields.Parsed> read) {
    try {
      return read.get();
    } catch (FieldError e) {
      throw OpenAiError.invalid(e.param(), e.code(), e.getMessage());
    }
  }

  // ---------------------------------------------------------------- body

  static JsonNode readObject(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw OpenAiError.invalid(
          null, null,
          "request body: malformed JSON (" + firstLine(e.getMessage()) + ") (expected: a JSON object)");
    }
    if (root == null || root.isMissingNode()) {
      throw OpenAiError.invalid(null, null, "request body: empty (expected: a JSON object)");
    }
    if (!root.isObject()) {
      throw OpenAiError.invalid(null, null, "request body: " + describe(root) + " (expected: a JSON object)");
    }
    return root;
  }

  // ---------------------------------------------------------------- output budget

  static int contextLeft(String field, int promptTokens, int context) {
    int left = context - promptTokens;
    if (left < 1) {
      throw OpenAiError.invalid(
          field, "context_length_exceeded",
          field + ": " + promptTokens + " tokens (expected: at most " + (context - 1)
              + ", so that one output token fits the model's context of " + context + " tokens)");
    }
    return left;
  }

  /**
   * The output budget: the field's value if set (at least 1, and fitting the context beside the
   * prompt), else {@code fallback} capped by the context left.
   */
  static int maxTokens(
      JsonNode root, String field, int promptTokens, int context, int fallback, int left) {
    JsonNode value = root.get(field);
    if (!present(value)) {
      return Math.min(fallback, left);
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral()) {
      throw invalidType(field, value, "an integer >= 1");
    }
    if (value.decimalValue().signum() <= 0) {
      throw OpenAiError.invalid(
          field, "integer_below_min_value", field + ": " + describe(value) + " (expected: >= 1)");
    }
    if (!value.canConvertToInt() || value.intValue() > left) {
      throw OpenAiError.invalid(
          field, "context_length_exceeded",
          field + ": " + describe(value) + " (expected: at most " + left + ", the model's context of "
              + context + " tokens less the prompt's " + promptTokens + ")");
    }
    return value.intValue();
  }

  // ---------------------------------------------------------------- sampling and options

  static SamplingParams sampling(JsonNode root) {
    double temperature = number(root, "temperature", 1.0, 0, 2);
    double topP = number(root, "top_p", 1.0, 0, 1);
    return new SamplingParams(temperature, topP, seed(root), stop(root));
  }

  private static void checkN(JsonNode root) {
    JsonNode n = root.get("n");
    if (present(n) && !(n.isNumber() && n.decimalValue().compareTo(BigDecimal.ONE) == 0)) {
      throw OpenAiError.invalid(
          "n", "unsupported_value",
          "n: " + describe(n) + " (expected: 1; the gateway returns one choice per request)");
    }
  }

  static OptionalLong seed(JsonNode root) {
    JsonNode value = root.get("seed");
    if (!present(value)) {
      return OptionalLong.empty();
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw invalidType("seed", value, "a 64-bit integer");
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
    if (!value.isArray()) {
      throw invalidType("stop", value, "a string, an array of 1 to 4 strings or null");
    }
    if (value.size() > MAX_STOP_SEQUENCES) {
      throw OpenAiError.invalid(
          "stop", "array_above_max_length",
          "stop: " + value.size() + " sequences (expected: at most " + MAX_STOP_SEQUENCES + ")");
    }
    List<String> stops = new ArrayList<>(value.size());
    for (JsonNode stop : value) {
      if (!stop.isTextual()) {
        throw invalidType("stop", stop, "a string, an array of 1 to 4 strings or null");
      }
      stops.add(stop.asText());
    }
    return stops;
  }

  static ServiceTier tier(JsonNode root) {
    JsonNode value = root.get("service_tier");
    if (!present(value)) {
      return ServiceTier.DEFAULT;
    }
    String tier = value.isTextual() ? value.asText() : "";
    switch (tier) {
      case "priority":
        return ServiceTier.PRIORITY;
      case "default":
      case "auto":
        return ServiceTier.DEFAULT;
      case "flex":
        return ServiceTier.FLEX;
      default:
        throw OpenAiError.invalid(
            "service_tier", "invalid_value",
            "service_tier: " + describe(value) + " (expected: auto, default, flex or priority)");
    }
  }

  static String tenant(JsonNode root, String header) {
    String user = optionalString(root, "user", "user");
    if (header != null && !header.isBlank()) {
      String tenant = header.strip();
      if (tenant.length() > MAX_TENANT_LENGTH || !printable(tenant)) {
        throw OpenAiError.invalid(
            TENANT_HEADER, "invalid_value",
            TENANT_HEADER + ": " + abbreviate(tenant)
                + " (expected: at most " + MAX_TENANT_LENGTH + " printable characters)");
      }
      return tenant;
    }
    return user == null || user.isBlank() ? ANONYMOUS : user;
  }

  static Optional<GatewayRequest.Slo> slo(String ttft, String tpot) {
    if (ttft == null && tpot == null) {
      return Optional.empty();
    }
    return Optional.of(
        new GatewayRequest.Slo(
            ttft == null ? NO_OBJECTIVE : sloMillis(SLO_TTFT_HEADER, ttft),
            tpot == null ? NO_OBJECTIVE : sloMillis(SLO_TPOT_HEADER, tpot)));
  }

  private static Duration sloMillis(String header, String value) {
    double millis;
    try {
      millis = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      millis = Double.NaN;
    }
    long nanos = Double.isFinite(millis) ? Math.round(millis * 1e6) : 0;
    if (!(millis > 0 && millis <= MAX_SLO_MILLIS) || nanos < 1) {
      throw OpenAiError.invalid(
          header, "invalid_value",
          header + ": " + abbreviate(value) + " (expected: a number of milliseconds > 0 and at most "
              + (long) MAX_SLO_MILLIS + ")");
    }
    return Duration.ofNanos(nanos);
  }

  /** True for {@code base64}, false for {@code float} or absent. */
  private static boolean encodingFormat(JsonNode root) {
    JsonNode value = root.get("encoding_format");
    if (!present(value)) {
      return false;
    }
    if (value.isTextual() && value.asText().equals("float")) {
      return false;
    }
    if (value.isTextual() && value.asText().equals("base64")) {
      return true;
    }
    throw OpenAiError.invalid(
        "encoding_format", "invalid_value",
        "encoding_format: " + describe(value) + " (expected: float or base64)");
  }

  private static int dimensions(JsonNode root, int modelDimensions) {
    JsonNode value = root.get("dimensions");
    if (!present(value)) {
      return modelDimensions;
    }
    if (!value.isNumber() || !value.canConvertToExactIntegral()
        || !value.canConvertToInt() || value.intValue() < 1 || value.intValue() > modelDimensions) {
      throw OpenAiError.invalid(
          "dimensions", "invalid_value",
          "dimensions: " + describe(value) + " (expected: an integer from 1 to " + modelDimensions + ")");
    }
    return value.intValue();
  }
}
