package dev.spillway.gateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.spillway.gateway.ledger.UsageRecord.Outcome;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /admin/usage}'s query parameters and sums, over every grouping and filter. */
class UsageReportTest {

  private static final Instant JAN_31 = Instant.parse("2025-01-31T10:00:00Z");
  private static final Instant FEB_01 = Instant.parse("2025-02-01T10:00:00Z");

  private static final List<UsageRecord> RECORDS =
      List.of(
          Records.record("1", "acme", "k1", "llama-3.3-70b", JAN_31, Outcome.SUCCESS, 1.0),
          Records.record("2", "acme", "k2", "llama-3.1-8b", JAN_31, Outcome.ERROR, 0.5),
          Records.record("3", "acme", null, "llama-3.1-8b", FEB_01, Outcome.CANCELLED, 0.25),
          Records.record("4", "globex", "k3", "llama-3.3-70b", FEB_01, Outcome.SUCCESS, 2.0));

  private static UsageReport report(String... params) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < params.length; i += 2) {
      map.computeIfAbsent(params[i], k -> new java.util.ArrayList<>()).add(params[i + 1]);
    }
    return UsageReport.of(UsageQuery.parse(map), RECORDS);
  }

  @Test
  void groupsByTenantByDefault() {
    UsageReport report = report();
    assertThat(report.query().groupBy()).isEqualTo(UsageQuery.GroupBy.TENANT);
    assertThat(report.groups())
        .extracting(g -> g.group(), g -> g.totals().requests(), g -> g.totals().priceUsd())
        .containsExactly(tuple("acme", 3L, 1.75), tuple("globex", 1L, 2.0));
    UsageReport.Totals acme = report.groups().get(0).totals();
    assertThat(acme.promptTokens()).isEqualTo(36);
    assertThat(acme.completionTokens()).isEqualTo(21);
    assertThat(List.of(acme.success(), acme.error(), acme.cancelled())).containsExactly(1L, 1L, 1L);
    assertThat(report.total().requests()).isEqualTo(4);
    assertThat(report.total().priceUsd()).isEqualTo(3.75);
  }

  @Test
  void groupsByModelKeyAndUtcDay() {
    assertThat(report("group_by", "model").groups())
        .extracting(g -> g.group(), g -> g.totals().requests())
        .containsExactly(tuple("llama-3.1-8b", 2L), tuple("llama-3.3-70b", 2L));
    assertThat(report("group_by", "key").groups())
        .extracting(g -> g.group(), g -> g.totals().requests())
        .containsExactly(tuple(null, 1L), tuple("k1", 1L), tuple("k2", 1L), tuple("k3", 1L));
    assertThat(report("group_by", "day").groups())
        .extracting(g -> g.group(), g -> g.totals().priceUsd())
        .containsExactly(tuple("2025-01-31", 1.5), tuple("2025-02-01", 2.25));
  }

  @Test
  void filtersByTenantModelAndAHalfOpenTimeWindow() {
    assertThat(report("tenant", "acme", "model", "llama-3.1-8b").total().requests()).isEqualTo(2);
    assertThat(report("from", "2025-02-01").total().requests()).isEqualTo(2);
    assertThat(report("to", "2025-02-01").total().requests()).isEqualTo(2);
    // from is inclusive, to exclusive.
    assertThat(report("from", "2025-02-01T10:00:00Z").total().requests()).isEqualTo(2);
    assertThat(report("to", "2025-02-01T10:00:00Z").total().requests()).isEqualTo(2);
    assertThat(report("tenant", "nobody").groups()).isEmpty();
    assertThat(report("tenant", "nobody").total().requests()).isZero();
  }

  @Test
  void writesTheReportAsJson() {
    assertThat(report("group_by", "tenant", "tenant", "globex").toJson())
        .isEqualTo(
            "{\"object\":\"usage\",\"group_by\":\"tenant\",\"tenant\":\"globex\",\"model\":null,"
                + "\"from\":null,\"to\":null,\"data\":[{\"group\":\"globex\",\"requests\":1,"
                + "\"prompt_tokens\":12,\"completion_tokens\":7,\"cost_usd\":0.0000125,\"price_usd\":2,"
                + "\"outcomes\":{\"success\":1,\"error\":0,\"cancelled\":0}}],\"total\":{\"requests\":1,"
                + "\"prompt_tokens\":12,\"completion_tokens\":7,\"cost_usd\":0.0000125,\"price_usd\":2,"
                + "\"outcomes\":{\"success\":1,\"error\":0,\"cancelled\":0}},\"skipped_lines\":0}");
  }

  @Test
  void badParametersNameThemselves() {
    assertThatThrownBy(() -> report("group_by", "week"))
        .isInstanceOfSatisfying(UsageQuery.BadParameter.class, e -> assertThat(e.param()).isEqualTo("group_by"))
        .hasMessage("group_by: week (expected: tenant, model, key, tag or day)");
    assertThatThrownBy(() -> report("from", "31/01/2025"))
        .isInstanceOfSatisfying(UsageQuery.BadParameter.class, e -> assertThat(e.param()).isEqualTo("from"))
        .hasMessageStartingWith("from: 31/01/2025 (expected: an ISO-8601 instant");
    assertThatThrownBy(() -> report("from", "2025-02-01", "to", "2025-02-01"))
        .isInstanceOfSatisfying(UsageQuery.BadParameter.class, e -> assertThat(e.param()).isEqualTo("to"))
        .hasMessage("to: 2025-02-01T00:00:00Z (expected: after from 2025-02-01T00:00:00Z)");
    assertThatThrownBy(() -> report("since", "2025-02-01"))
        .hasMessage("since: unknown (expected one of: tenant, model, from, to, group_by)");
    assertThatThrownBy(() -> report("model", "a", "model", "b"))
        .hasMessage("model: given 2 times (expected: at most once)");
    assertThatThrownBy(() -> report("tenant", ""))
        .hasMessage("tenant: empty (expected: a value, or no tenant parameter)");
  }
}
