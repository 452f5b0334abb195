package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.JsonText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event-stream frames of one streamed Bedrock answer, in order.
 *
 * <p>ConverseStream: {@code messageStart {"role":"assistant"}} with the first token, one
 * {@code contentBlockDelta {"contentBlockIndex":0,"delta":{"text":…}}} per token, then
 * {@code contentBlockStop}, {@code messageStop {"stopReason":…}} and {@code metadata} with
 * {@code usage} and {@code metrics} (both required by the service model). Each payload is the
 * event's own JSON, not wrapped in its member name.
 *
 * <p>InvokeModelWithResponseStream: one {@code chunk} event per token whose payload is
 * {@code {"bytes":"<base64>"}}, the bytes a Meta Llama chunk ({@code generation},
 * {@code prompt_token_count} on the first only, the running {@code generation_token_count},
 * {@code stop_reason}); a last chunk with the stop reason and
 * {@code amazon-bedrock-invocationMetrics}.
 *
 * <p>Every event frame has {@code :event-type}, {@code :content-type} and {@code :message-type}: the
 * Java SDK reads the first and last without a null check. Real Bedrock also pads payloads with a
 * random {@code "p"} member against length side channels; the gateway does not (decisions.md).
 *
 * <p>Not thread-safe: one instance per response, used on the response's thread.
 */
public final class BedrockStream {

  public static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private static final EventStreamMessage.Header JSON =
      EventStreamMessage.Header.string(":content-type", "application/json");
  private static final EventStreamMessage.Header EVENT =
      EventStreamMessage.Header.string(":message-type", "event");
  /** Every event's headers, encoded once per event type: they never change within a type. */
  private static final Map<String, byte[]> HEADERS = new ConcurrentHashMap<>();
  private static final byte[] DELTA_HEADERS = headers("contentBlockDelta");
  private static final byte[] CHUNK_HEADERS = headers("chunk");
  /** A chunk's payload around its base64 bytes. */
  private static final byte[] BYTES_OPEN = "{\"bytes\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BYTES_CLOSE = "\"}".getBytes(StandardCharsets.US_ASCII);

  private final BedrockRequest request;
  private final boolean converse;
  private int tokens;

  public BedrockStream(BedrockRequest request) {
    this.request = requireNonNull(request, "request");
    if (!request.operation().stream()) {
      throw new IllegalArgumentException(
          "operation: " + request.operation() + " (expected: a streaming operation)");
    }
    this.converse = !request.operation().invoke();
  }

  /** What precedes the first token: Converse's {@code messageStart}; nothing for InvokeModel. */
  public byte[] start() {
    return converse ? event("messageStart", "{\"role\":\"assistant\"}") : new byte[0];
  }

  /** The frame of one generated token. */
  public byte[] token(String text) {
    tokens++;
    if (converse) {
      StringBuilder json = new StringBuilder(48 + text.length());
      json.append("{\"contentBlockIndex\":0,\"delta\":{\"text\":");
      JsonText.string(json, text);
      return EventStreamMessage.frame(DELTA_HEADERS, json.append("}}").toString().getBytes(StandardCharsets.UTF_8));
    }
    StringBuilder json = new StringBuilder(96 + text.length());
    json.append("{\"generation\":");
    JsonText.string(json, text);
    json.append(",\"prompt_token_count\":")
        .append(tokens == 1 ? Integer.toString(request.core().promptTokens()) : "null")
        .append(",\"generation_token_count\":").append(tokens)
        .append(",\"stop_reason\":null}");
    return chunk(json.toString());
  }

  /**
   * The frames that end the stream.
   *
   * @param latencyMs from the request's arrival to now
   * @param firstByteMs from the request's arrival to the first token; the latency when there was none
   */
  public byte[] end(FinishReason reason, Usage usage, long latencyMs, long firstByteMs) {
    requireNonNull(reason, "reason");
    requireNonNull(usage, "usage");
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    if (converse) {
      out.writeBytes(event("contentBlockStop", "{\"contentBlockIndex\":0}"));
      StringBuilder stop = new StringBuilder(48).append("{\"stopReason\":");
      JsonText.string(stop, BedrockResponses.stopReason(reason));
      out.writeBytes(event("messageStop", stop.append('}').toString()));
      StringBuilder metadata = new StringBuilder(160).append('{');
      BedrockResponses.usageAndMetrics(metadata, usage, latencyMs);
      BedrockResponses.tierAndLatency(metadata, request);
      out.writeBytes(event("metadata", metadata.append('}').toString()));
      return out.toByteArray();
    }
    StringBuilder json = new StringBuilder(256);
    json.append("{\"generation\":\"\",\"prompt_token_count\":")
        .append(tokens == 0 ? Integer.toString(usage.promptTokens()) : "null")
        .append(",\"generation_token_count\":").append(usage.completionTokens())
        .append(",\"stop_reason\":");
    JsonText.string(json, BedrockResponses.llamaStopReason(reason));
    json.append(",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":").append(usage.promptTokens())
        .append(",\"outputTokenCount\":").append(usage.completionTokens())
        .append(",\"invocationLatency\":").append(Math.max(0, latencyMs))
        .append(",\"firstByteLatency\":").append(Math.max(0, firstByteMs))
        .append("}}");
    return chunk(json.toString());
  }

  /** An event frame of type {@code type} with a JSON payload. */
  static byte[] event(String type, String json) {
    return EventStreamMessage.frame(headers(type), json.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] headers(String type) {
    return HEADERS.computeIfAbsent(
        type,
        t -> EventStreamMessage.headersBlock(
            List.of(EventStreamMessage.Header.string(":event-type", t), JSON, EVENT)));
  }

  /** A {@code chunk} event: the model's JSON chunk, base64-encoded in {@code bytes}. */
  private static byte[] chunk(String modelJson) {
    byte[] encoded = Base64.getEncoder().encode(modelJson.getBytes(StandardCharsets.UTF_8));
    byte[] payload = new byte[encoded.length + BYTES_OPEN.length + BYTES_CLOSE.length];
    System.arraycopy(BYTES_OPEN, 0, payload, 0, BYTES_OPEN.length);
    System.arraycopy(encoded, 0, payload, BYTES_OPEN.length, encoded.length);
    System.arraycopy(BYTES_CLOSE, 0, payload, BYTES_OPEN.length + encoded.length, BYTES_CLOSE.length);
    return EventStreamMessage.frame(CHUNK_HEADERS, payload);
  }

}
