package dev.spillway.gateway.tenancy;

import java.time.Instant;

/**
 * What tenants have spent, as a record of past requests (the usage ledger) knows it: budgets read
 * their period's spend from it at start, so a restart does not hand a tenant a fresh budget.
 */
public interface SpendHistory {

  /** Nothing spent: for a gateway without a ledger. */
  SpendHistory NONE = (tenant, since) -> 0;

  /** USD {@code tenant} spent from {@code since} until now. May block: called once at start. */
  double spentUsd(String tenant, Instant since);
}
