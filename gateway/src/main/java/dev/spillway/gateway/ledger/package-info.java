/**
 * The usage ledger: one durable JSON line per finished request, written off the event loops with
 * group commit, read back after a crash, and aggregated for {@code /admin/usage} and budgets.
 */
package dev.spillway.gateway.ledger;
