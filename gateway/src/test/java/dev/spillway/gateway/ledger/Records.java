package dev.spillway.gateway.ledger;

import java.time.Instant;
import java.util.OptionalDouble;

/** Usage records for tests. */
final class Records {

  static final Instant T0 = Instant.parse("2025-01-31T23:59:00Z");

  private Records() {}

  static UsageRecord record(String id) {
    return record(id, "acme", "key-1", "llama-3.3-70b", T0, UsageRecord.Outcome.SUCCESS, 0.25);
  }

  static UsageRecord record(
      String id, String tenant, String keyId, String model, Instant time, UsageRecord.Outcome outcome,
      double priceUsd) {
    return new UsageRecord(
        id, tenant, keyId, model, model + "@trn2", model + "@trn2/0", "default", 12, 7,
        OptionalDouble.of(180.5), 420.25, 0.0000125, priceUsd, outcome,
        outcome == UsageRecord.Outcome.SUCCESS ? 200 : 502, time);
  }
}
