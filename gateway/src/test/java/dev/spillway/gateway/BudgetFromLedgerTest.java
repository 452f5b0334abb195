package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A budget outlives the process: a gateway restarted on the same usage ledger starts each tenant's
 * budget from what the ledger says it spent this period, so a budget spent before the restart stays
 * spent.
 */
class BudgetFromLedgerTest {

  @TempDir Path ledger;

  @Test
  void aBudgetSpentBeforeARestartIsStillSpentAfterIt() throws Exception {
    String yaml =
        TenantLimitsTest.MODELS
            + "tenants: [{name: acme, budget: {usd: 0.00002, period: day}, keys: [{id: k, sha256: sha(s)}]}]\n"
            + "ledger: {path: " + ledger + "}\n";
    int admitted = 0;
    try (KeyedGateway gateway = new KeyedGateway(yaml)) {
      HttpResponse<String> refused = null;
      for (int i = 0; i < 20 && refused == null; i++) {
        HttpResponse<String> r = gateway.chat("llama-3.1-8b", 10, "authorization", "Bearer s");
        if (r.statusCode() == 200) {
          admitted++;
        } else {
          refused = r;
        }
      }
      assertThat(admitted).isPositive();
      assertThat(refused).isNotNull();
      assertThat(KeyedGateway.json(refused).get("error").get("code").asText()).isEqualTo("insufficient_quota");
    }

    try (KeyedGateway restarted = new KeyedGateway(yaml)) {
      HttpResponse<String> first = restarted.chat("llama-3.1-8b", 10, "authorization", "Bearer s");
      assertThat(first.statusCode()).isEqualTo(429);
      assertThat(KeyedGateway.json(first).get("error").get("code").asText()).isEqualTo("insufficient_quota");
    }
  }

  @Test
  void anotherTenantsSpendDoesNotCount() throws Exception {
    String yaml =
        TenantLimitsTest.MODELS
            + "tenants:\n"
            + "  - {name: acme, budget: {usd: 0.00002, period: day}, keys: [{id: a, sha256: sha(sa)}]}\n"
            + "  - {name: zeta, budget: {usd: 0.00002, period: day}, keys: [{id: z, sha256: sha(sz)}]}\n"
            + "ledger: {path: " + ledger + "}\n";
    try (KeyedGateway gateway = new KeyedGateway(yaml)) {
      for (int i = 0; i < 20; i++) {
        if (gateway.chat("llama-3.1-8b", 10, "authorization", "Bearer sa").statusCode() != 200) {
          break;
        }
      }
    }
    try (KeyedGateway restarted = new KeyedGateway(yaml)) {
      assertThat(restarted.chat("llama-3.1-8b", 10, "authorization", "Bearer sz").statusCode()).isEqualTo(200);
      assertThat(restarted.chat("llama-3.1-8b", 10, "authorization", "Bearer sa").statusCode()).isEqualTo(429);
    }
  }
}
