package dev.spillway.backends.upstream;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.JsonText;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The OpenAI chat-completions wire as an upstream client needs it: the request body, errors, usage. */
final class ChatWire {

  /** Error bodies are read up to this size; the rest is discarded. */
  static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final int MAX_QUOTED_CHARS = 300;

  private ChatWire() {}

  /**
   * A streaming request for {@code request}, naming {@code model} (the upstream's name for it), written
   * as text: no tree per request. The messages are the request's own when it has fields to pass
   * through (tools, a response format, a conversation with tool calls), else one user message of its
   * prompt text.
   */
  static Buffer requestBody(InferenceRequest request, String model) {
    SamplingParams sampling = request.sampling();
    StringBuilder json = new StringBuilder(160 + request.prompt().length() + model.length());
    String passThrough = request.output().passThrough();
    json.append("{\"model\":");
    JsonText.string(json, model);
    if (passThrough.isEmpty()) {
      json.append(",\"messages\":[{\"role\":\"user\",\"content\":");
      JsonText.string(json, request.prompt());
      json.append("}]");
    } else {
      // The client's messages, tools and response format, as it sent them.
      json.append(',').append(passThrough);
    }
    json.append(",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":")
        .append(request.maxOutputTokens())
        .append(",\"temperature\":")
        .append(JsonText.decimal(sampling.temperature()))
        .append(",\"top_p\":")
        .append(JsonText.decimal(sampling.topP()));
    if (sampling.seed().isPresent()) {
      json.append(",\"seed\":").append(sampling.seed().getAsLong());
    }
    if (!sampling.stop().isEmpty()) {
      json.append(",\"stop\":[");
      for (int i = 0; i < sampling.stop().size(); i++) {
        if (i > 0) {
          json.append(',');
        }
        JsonText.string(json, sampling.stop().get(i));
      }
      json.append(']');
    }
    json.append(",\"user\":");
    JsonText.string(json, request.tenant());
    return Buffer.buffer(json.append('}').toString());
  }

  /**
   * How the gateway should treat a non-2xx answer: the client's fault for 400, 404, 413 and 422; a
   * full upstream for 429 and 503; an upstream failure for anything else (401 and 403 included: a wrong
   * key is the operator's to fix, not the client's).
   */
  static BackendException.Kind kindOf(int status) {
    switch (status) {
      case 429:
      case 503:
        return BackendException.Kind.OVERLOADED;
      case 400:
      case 404:
      case 413:
      case 422:
        return BackendException.Kind.INVALID_REQUEST;
      default:
        return BackendException.Kind.UPSTREAM;
    }
  }

  /**
   * An upstream's hint of when to retry: {@code retry-after-ms} (OpenAI's, milliseconds) if present,
   * else {@code Retry-After} in seconds or as an HTTP date; null when absent, unreadable or not ahead.
   */
  static Duration retryAfter(String retryAfterMs, String retryAfter, long nowEpochMillis) {
    try {
      if (retryAfterMs != null) {
        double ms = Double.parseDouble(retryAfterMs.trim());
        return ms > 0 && ms < 1e12 ? Duration.ofNanos(Math.round(ms * 1e6)) : null;
      }
      if (retryAfter == null) {
        return null;
      }
      String value = retryAfter.trim();
      if (!value.isEmpty() && Character.isDigit(value.charAt(0))) {
        double seconds = Double.parseDouble(value);
        return seconds > 0 && seconds < 1e9 ? Duration.ofMillis(Math.round(seconds * 1e3)) : null;
      }
      long at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return at > nowEpochMillis ? Duration.ofMillis(at - nowEpochMillis) : null;
    } catch (NumberFormatException | DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The message of an error body: OpenAI's {@code {"error":{"message":...}}}, the older vLLM
   * {@code {"object":"error","message":...}}, or else the start of the body as text; null when empty.
   */
  static String errorMessage(Buffer body) {
    String text = body.toString().trim();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return errorMessage(new JsonObject(text));
    } catch (RuntimeException notJson) {
      return quote(text);
    }
  }

  /** The message of an {@code error} member or object; never null. */
  static String errorMessage(JsonObject json) {
    Object error = json.getValue("error");
    if (error instanceof JsonObject && ((JsonObject) error).getValue("message") instanceof String) {
      return quote(((JsonObject) error).getString("message"));
    }
    if (error instanceof String) {
      return quote((String) error);
    }
    if (json.getValue("message") instanceof String) {
      return quote(json.getString("message"));
    }
    return quote(json.encode());
  }

  /** The {@code usage} object of a chunk, or null when it is absent, null or malformed. */
  static Usage usage(Object value) {
    if (!(value instanceof JsonObject)) {
      return null;
    }
    JsonObject usage = (JsonObject) value;
    Object prompt = usage.getValue("prompt_tokens");
    Object completion = usage.getValue("completion_tokens");
    if (!(prompt instanceof Number) || !(completion instanceof Number)) {
      return null;
    }
    int p = ((Number) prompt).intValue();
    int c = ((Number) completion).intValue();
    return p < 0 || c < 0 ? null : new Usage(p, c);
  }

  /**
   * {@code length} is {@link FinishReason#LENGTH}, {@code tool_calls} (and the older
   * {@code function_call}) {@link FinishReason#TOOL_CALLS}; every other reason ({@code stop},
   * {@code content_filter}) ended generation before the limit, which the SPI calls {@link
   * FinishReason#STOP}.
   */
  static FinishReason finishReason(String wireName) {
    switch (wireName) {
      case "length":
        return FinishReason.LENGTH;
      case "tool_calls":
      case "function_call":
        return FinishReason.TOOL_CALLS;
      default:
        return FinishReason.STOP;
    }
  }

  /** {@code text} cut to a length fit for an error message. */
  static String quote(String text) {
    return text.length() <= MAX_QUOTED_CHARS ? text : text.substring(0, MAX_QUOTED_CHARS) + "...";
  }
}
