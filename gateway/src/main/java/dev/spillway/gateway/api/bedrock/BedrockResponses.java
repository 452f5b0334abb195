package dev.spillway.gateway.api.bedrock;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.JsonText;

/**
 * The bodies of Bedrock's non-streaming answers: Converse's {@code output}, {@code stopReason},
 * {@code usage} and {@code metrics} (all four always present: the Java SDK's getters return null for
 * a missing member, and callers' code then fails far from the cause), and InvokeModel's Meta Llama
 * body. Both echo the service tier and latency the request asked for.
 */
public final class BedrockResponses {

  private BedrockResponses() {}

  /** Converse's {@code stopReason} for a finish. */
  public static String stopReason(FinishReason reason) {
    switch (reason) {
      case LENGTH:
        return "max_tokens";
      case TOOL_CALLS:
        return "tool_use";
      default:
        return "end_turn";
    }
  }

  /** Meta Llama's {@code stop_reason} for a finish. */
  public static String llamaStopReason(FinishReason reason) {
    return reason == FinishReason.LENGTH ? "length" : "stop";
  }

  /** The Converse answer. */
  public static String converse(
      BedrockRequest request, String text, FinishReason reason, Usage usage, long latencyMs) {
    StringBuilder json = new StringBuilder(192 + text.length());
    json.append("{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":");
    JsonText.string(json, text);
    json.append("}]}},\"stopReason\":");
    JsonText.string(json, stopReason(reason));
    json.append(',');
    usageAndMetrics(json, usage, latencyMs);
    tierAndLatency(json, request);
    return json.append('}').toString();
  }

  /** The InvokeModel answer in Meta Llama's format. */
  public static String llama(String text, FinishReason reason, Usage usage) {
    StringBuilder json = new StringBuilder(128 + text.length());
    json.append("{\"generation\":");
    JsonText.string(json, text);
    json.append(",\"prompt_token_count\":").append(usage.promptTokens())
        .append(",\"generation_token_count\":").append(usage.completionTokens())
        .append(",\"stop_reason\":");
    JsonText.string(json, llamaStopReason(reason));
    return json.append('}').toString();
  }

  /** {@code "usage":{…},"metrics":{"latencyMs":…}}, as Converse and the stream's metadata carry them. */
  static StringBuilder usageAndMetrics(StringBuilder json, Usage usage, long latencyMs) {
    return json.append("\"usage\":{\"inputTokens\":").append(usage.promptTokens())
        .append(",\"outputTokens\":").append(usage.completionTokens())
        .append(",\"totalTokens\":").append(usage.totalTokens())
        .append("},\"metrics\":{\"latencyMs\":").append(Math.max(0, latencyMs)).append('}');
  }

  /** {@code ,"serviceTier":{"type":…}} and {@code ,"performanceConfig":{"latency":…}} when asked for. */
  static void tierAndLatency(StringBuilder json, BedrockRequest request) {
    request.serviceTier().ifPresent(
        tier -> {
          json.append(",\"serviceTier\":{\"type\":");
          JsonText.string(json, tier).append('}');
        });
    request.latency().ifPresent(
        latency -> {
          json.append(",\"performanceConfig\":{\"latency\":");
          JsonText.string(json, latency).append('}');
        });
  }
}
