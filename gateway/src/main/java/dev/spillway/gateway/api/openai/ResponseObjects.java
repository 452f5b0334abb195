package dev.spillway.gateway.api.openai;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.Answer;
import dev.spillway.backends.wire.JsonText;

/**
 * Writes the Responses API's {@code response} object and its output items: a {@code message} with
 * one {@code output_text} part for content, a {@code function_call} per tool call. Item ids derive
 * from the response's id ({@code msg_…}, {@code fc_…}), so a stream's events and its final object
 * name the same items. An answer cut by {@code max_output_tokens} is {@code incomplete}, as
 * OpenAI's are.
 */
public final class ResponseObjects {

  private ResponseObjects() {}

  /** The body of a non-streaming response. */
  public static String response(
      String id, long created, OpenAiRequest request, Answer answer, FinishReason reason, Usage usage) {
    return response(new StringBuilder(1024), id, created, request, answer, reason, usage).toString();
  }

  /**
   * Appends a {@code response} object; {@code answer} null for one in progress (no output, no usage).
   */
  static StringBuilder response(
      StringBuilder json, String id, long created, OpenAiRequest request, Answer answer,
      FinishReason reason, Usage usage) {
    boolean incomplete = reason == FinishReason.LENGTH;
    String status = answer == null ? "in_progress" : incomplete ? "incomplete" : "completed";
    json.append("{\"id\":");
    JsonText.string(json, id);
    json.append(",\"object\":\"response\",\"created_at\":").append(created)
        .append(",\"status\":\"").append(status).append('"')
        .append(",\"background\":false,\"error\":null,\"incomplete_details\":")
        .append(incomplete && answer != null ? "{\"reason\":\"max_output_tokens\"}" : "null")
        .append(',').append(request.responseEcho())
        .append(",\"model\":");
    JsonText.string(json, request.core().model());
    json.append(",\"output\":[");
    if (answer != null) {
      String itemStatus = incomplete ? "incomplete" : "completed";
      boolean first = true;
      if (!answer.content().isEmpty() || answer.calls().isEmpty()) {
        message(json, id, answer.content(), itemStatus);
        first = false;
      }
      for (Answer.Call call : answer.calls()) {
        if (!first) {
          json.append(',');
        }
        first = false;
        functionCall(json, id, call, call.arguments().toString(), itemStatus);
      }
    }
    json.append("],\"reasoning\":{\"effort\":null,\"summary\":null},\"service_tier\":");
    JsonText.string(json, request.core().tier().wireName());
    json.append(",\"usage\":");
    if (answer == null) {
      json.append("null");
    } else {
      usage(json, usage);
    }
    return json.append(",\"user\":null}");
  }

  static StringBuilder usage(StringBuilder json, Usage usage) {
    return json.append("{\"input_tokens\":").append(usage.promptTokens())
        .append(",\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":")
        .append(usage.completionTokens())
        .append(",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":")
        .append((long) usage.promptTokens() + usage.completionTokens()).append('}');
  }

  /** A {@code message} item with its one {@code output_text} part. */
  static StringBuilder message(StringBuilder json, String responseId, String text, String status) {
    json.append("{\"id\":");
    JsonText.string(json, messageId(responseId));
    json.append(",\"type\":\"message\",\"status\":\"").append(status)
        .append("\",\"role\":\"assistant\",\"content\":[");
    if (text != null) {
      outputText(json, text);
    }
    return json.append("]}");
  }

  static StringBuilder outputText(StringBuilder json, String text) {
    json.append("{\"type\":\"output_text\",\"text\":");
    JsonText.string(json, text);
    return json.append(",\"annotations\":[],\"logprobs\":[]}");
  }

  /** A {@code function_call} item. */
  static StringBuilder functionCall(
      StringBuilder json, String responseId, Answer.Call call, String arguments, String status) {
    json.append("{\"id\":");
    JsonText.string(json, callItemId(responseId, call.call().index()));
    json.append(",\"type\":\"function_call\",\"status\":\"").append(status).append("\",\"arguments\":");
    JsonText.string(json, arguments);
    json.append(",\"call_id\":");
    JsonText.string(json, call.call().id());
    json.append(",\"name\":");
    JsonText.string(json, call.call().name());
    return json.append('}');
  }

  static String messageId(String responseId) {
    return "msg_" + suffix(responseId);
  }

  static String callItemId(String responseId, int index) {
    return "fc_" + suffix(responseId) + "_" + index;
  }

  private static String suffix(String responseId) {
    return responseId.startsWith("resp_") ? responseId.substring(5) : responseId;
  }
}
