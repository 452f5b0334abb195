package dev.spillway.gateway.ledger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.wire.JsonText;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * One finished request as the ledger keeps it: one line of JSON in a ledger file.
 *
 * @param requestId the {@code x-request-id} the client got
 * @param tenant the tenant the request was served for
 * @param keyId the API key's id; null when the request carried none
 * @param model the configured name of the model that served it
 * @param pool the pool it was bound to; null if it never was (cancelled while queued)
 * @param replica the replica it was bound to; null if it never was
 * @param tier the service tier's wire name
 * @param promptTokens prompt tokens, as the backend counted them when it finished, else as the gateway
 *     counted them
 * @param completionTokens tokens generated: the backend's count when it finished, else the tokens
 *     that reached the gateway before the request ended
 * @param ttftMs from the request's arrival to its first token reaching the gateway; empty if none did
 * @param e2eMs from the request's arrival to its end in the gateway (before the record is written)
 * @param costUsd what serving it cost the operator; 0 when the backend did not finish it
 * @param priceUsd what the tenant is billed; 0 when the backend did not finish it
 * @param status the HTTP status the response carried or would have carried: 200, or the error's
 * @param time when the request ended, wall clock
 * @param cached whether the model's response cache answered it (no replica served it; cost and price 0)
 * @param tag the tenant's cost-allocation tag: the tag of the Bedrock application inference profile
 *     the request came through; null for none
 */
public record UsageRecord(
    String requestId,
    String tenant,
    String keyId,
    String model,
    String pool,
    String replica,
    String tier,
    int promptTokens,
    int completionTokens,
    OptionalDouble ttftMs,
    double e2eMs,
    double costUsd,
    double priceUsd,
    Outcome outcome,
    int status,
    Instant time,
    boolean cached,
    String tag) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record without a cost-allocation tag. */
  public UsageRecord(
      String requestId, String tenant, String keyId, String model, String pool, String replica,
      String tier, int promptTokens, int completionTokens, OptionalDouble ttftMs, double e2eMs,
      double costUsd, double priceUsd, Outcome outcome, int status, Instant time, boolean cached) {
    this(requestId, tenant, keyId, model, pool, replica, tier, promptTokens, completionTokens, ttftMs,
        e2eMs, costUsd, priceUsd, outcome, status, time, cached, null);
  }

  /** A record of a request no cache answered. */
  public UsageRecord(
      String requestId, String tenant, String keyId, String model, String pool, String replica,
      String tier, int promptTokens, int completionTokens, OptionalDouble ttftMs, double e2eMs,
      double costUsd, double priceUsd, Outcome outcome, int status, Instant time) {
    this(requestId, tenant, keyId, model, pool, replica, tier, promptTokens, completionTokens, ttftMs,
        e2eMs, costUsd, priceUsd, outcome, status, time, false);
  }

  /** How a request ended. */
  public enum Outcome {
    /** The backend finished it and the response was complete. */
    SUCCESS,
    /** It failed after it was bound to a replica. */
    ERROR,
    /** The client went away, or the gateway shut down, before the response was complete. */
    CANCELLED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
      return wireName;
    }

    static Outcome fromWire(String value) {
      for (Outcome outcome : values()) {
        if (outcome.wireName.equals(value)) {
          return outcome;
        }
      }
      throw new IllegalArgumentException("outcome: " + value + " (expected: success, error or cancelled)");
    }
  }

  public UsageRecord {
    requireNonNull(requestId, "requestId");
    requireNonNull(tenant, "tenant");
    requireNonNull(model, "model");
    requireNonNull(tier, "tier");
    requireNonNull(ttftMs, "ttftMs");
    requireNonNull(outcome, "outcome");
    requireNonNull(time, "time");
  }

  /** The record as one line of JSON, with its newline. */
  public String toJsonLine() {
    StringBuilder out = new StringBuilder(384);
    out.append("{\"request_id\":");
    JsonText.string(out, requestId);
    out.append(",\"tenant\":");
    JsonText.string(out, tenant);
    out.append(",\"key_id\":");
    JsonText.string(out, keyId);
    out.append(",\"model\":");
    JsonText.string(out, model);
    out.append(",\"pool\":");
    JsonText.string(out, pool);
    out.append(",\"replica\":");
    JsonText.string(out, replica);
    out.append(",\"tier\":");
    JsonText.string(out, tier);
    out.append(",\"prompt_tokens\":").append(promptTokens);
    out.append(",\"completion_tokens\":").append(completionTokens);
    out.append(",\"ttft_ms\":")
        .append(ttftMs.isPresent() ? JsonText.decimal(round3(ttftMs.getAsDouble())) : "null");
    out.append(",\"e2e_ms\":").append(JsonText.decimal(round3(e2eMs)));
    out.append(",\"cost_usd\":").append(JsonText.decimal(costUsd));
    out.append(",\"price_usd\":").append(JsonText.decimal(priceUsd));
    out.append(",\"outcome\":\"").append(outcome.wireName()).append('"');
    out.append(",\"status\":").append(status);
    out.append(",\"time\":\"").append(time).append('"');
    out.append(",\"cached\":").append(cached);
    if (tag != null) {
      out.append(",\"tag\":");
      JsonText.string(out, tag);
    }
    out.append("}\n");
    return out.toString();
  }

  /**
   * Reads one line written by {@link #toJsonLine()}.
   *
   * @throws IllegalArgumentException when the line is not a whole record
   */
  public static UsageRecord parse(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalArgumentException("line: not JSON (expected: one usage record)", e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("line: " + line + " (expected: a JSON object)");
    }
    try {
      JsonNode ttft = node.get("ttft_ms");
      return new UsageRecord(
          required(node, "request_id").asText(),
          required(node, "tenant").asText(),
          text(node, "key_id"),
          required(node, "model").asText(),
          text(node, "pool"),
          text(node, "replica"),
          required(node, "tier").asText(),
          required(node, "prompt_tokens").asInt(),
          required(node, "completion_tokens").asInt(),
          ttft == null || ttft.isNull() ? OptionalDouble.empty() : OptionalDouble.of(ttft.asDouble()),
          required(node, "e2e_ms").asDouble(),
          required(node, "cost_usd").asDouble(),
          required(node, "price_usd").asDouble(),
          Outcome.fromWire(required(node, "outcome").asText()),
          required(node, "status").asInt(),
          Instant.parse(required(node, "time").asText()),
          node.path("cached").asBoolean(false),
          text(node, "tag"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("time: " + node.get("time") + " (expected: an ISO-8601 instant)", e);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException(field + ": missing (expected: present in every record)");
    }
    return value;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static double round3(double millis) {
    return Math.round(millis * 1000.0) / 1000.0;
  }
}
