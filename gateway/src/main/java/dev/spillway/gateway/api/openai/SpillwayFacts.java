package dev.spillway.gateway.api.openai;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.wire.JsonText;
import dev.spillway.gateway.core.GatewayListener;

/**
 * Where a finished request ran and what it cost, as the gateway reports it: in {@code x-spillway-*}
 * headers on a plain response, and as the {@code "spillway"} object of a stream's last chunk, whose
 * headers went out before these facts were known.
 *
 * @param costUsd what serving it cost the operator
 * @param priceUsd what the tenant is billed
 * @param queueMs time in the gateway's queue, from admission to binding to a replica
 */
public record SpillwayFacts(String pool, String replica, double costUsd, double priceUsd, double queueMs) {

  public SpillwayFacts {
    requireNonNull(pool, "pool");
    requireNonNull(replica, "replica");
  }

  public static SpillwayFacts of(GatewayListener.Binding binding, TokenEvent.Finish finish) {
    return new SpillwayFacts(
        binding.pool(), binding.replica(), finish.costUsd(), finish.priceUsd(),
        binding.queuedNanos() / 1e6);
  }

  /** The cost as a plain decimal: {@code 0.0000123}. */
  public String costText() {
    return JsonText.decimal(costUsd);
  }

  public String priceText() {
    return JsonText.decimal(priceUsd);
  }

  /** Milliseconds with three decimals: {@code 12.345}. */
  public String queueMsText() {
    return queueMsText(queueMs);
  }

  public static String queueMsText(double queueMs) {
    return JsonText.threeDecimals(Double.isFinite(queueMs) ? queueMs : 0.0);
  }

  /** {@code "spillway":{"pool":…,"replica":…,"cost_usd":…,"price_usd":…,"queue_ms":…}}. */
  void appendField(StringBuilder json) {
    json.append("\"spillway\":{\"pool\":");
    JsonText.string(json, pool);
    json.append(",\"replica\":");
    JsonText.string(json, replica);
    json.append(",\"cost_usd\":").append(costText())
        .append(",\"price_usd\":").append(priceText())
        .append(",\"queue_ms\":").append(queueMsText())
        .append('}');
  }
}
