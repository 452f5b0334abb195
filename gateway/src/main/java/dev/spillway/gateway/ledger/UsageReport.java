package dev.spillway.gateway.ledger;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.wire.JsonText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The ledger's records summed per group, as {@code GET /admin/usage} answers.
 *
 * @param groups one per distinct group value, sorted by it (a missing key first)
 * @param skippedLines ledger lines that were not records (torn or corrupt), left out of the sums
 */
public record UsageReport(UsageQuery query, List<Group> groups, Totals total, long skippedLines) {

  public UsageReport {
    requireNonNull(query, "query");
    groups = List.copyOf(groups);
    requireNonNull(total, "total");
  }

  /** One group's sums; {@code group} is null for records without a key, grouped by key. */
  public record Group(String group, Totals totals) {}

  /** Sums over a set of records. */
  public record Totals(
      long requests,
      long promptTokens,
      long completionTokens,
      double costUsd,
      double priceUsd,
      long success,
      long error,
      long cancelled) {}

  /** Folds records one at a time, keeping those the query matches. */
  public static final class Aggregator implements Consumer<UsageRecord> {
    private final UsageQuery query;
    private final Map<String, Sum> groups = new HashMap<>();
    private final Sum total = new Sum();

    public Aggregator(UsageQuery query) {
      this.query = requireNonNull(query, "query");
    }

    @Override
    public void accept(UsageRecord record) {
      if (query.matches(record)) {
        groups.computeIfAbsent(query.groupOf(record), g -> new Sum()).add(record);
        total.add(record);
      }
    }

    public UsageReport report(long skippedLines) {
      List<Group> out = new ArrayList<>(groups.size());
      groups.forEach((group, sum) -> out.add(new Group(group, sum.totals())));
      out.sort(Comparator.comparing(Group::group, Comparator.nullsFirst(Comparator.naturalOrder())));
      return new UsageReport(query, out, total.totals(), skippedLines);
    }
  }

  /** The report as {@code /admin/usage} sends it. */
  public String toJson() {
    StringBuilder out = new StringBuilder(256 + groups.size() * 200);
    out.append("{\"object\":\"usage\",\"group_by\":\"").append(query.groupBy().wireName()).append('"');
    out.append(",\"tenant\":");
    JsonText.string(out, query.tenant().orElse(null));
    out.append(",\"model\":");
    JsonText.string(out, query.model().orElse(null));
    out.append(",\"from\":");
    JsonText.string(out, query.from().map(Instant::toString).orElse(null));
    out.append(",\"to\":");
    JsonText.string(out, query.to().map(Instant::toString).orElse(null));
    out.append(",\"data\":[");
    for (int i = 0; i < groups.size(); i++) {
      Group group = groups.get(i);
      out.append(i == 0 ? "" : ",").append("{\"group\":");
      JsonText.string(out, group.group());
      appendTotals(out.append(','), group.totals());
      out.append('}');
    }
    out.append("],\"total\":{");
    appendTotals(out, total);
    out.append("},\"skipped_lines\":").append(skippedLines).append('}');
    return out.toString();
  }

  private static void appendTotals(StringBuilder out, Totals t) {
    out.append("\"requests\":").append(t.requests())
        .append(",\"prompt_tokens\":").append(t.promptTokens())
        .append(",\"completion_tokens\":").append(t.completionTokens())
        .append(",\"cost_usd\":").append(JsonText.decimal(t.costUsd()))
        .append(",\"price_usd\":").append(JsonText.decimal(t.priceUsd()))
        .append(",\"outcomes\":{\"success\":").append(t.success())
        .append(",\"error\":").append(t.error())
        .append(",\"cancelled\":").append(t.cancelled())
        .append('}');
  }

  /** A running sum; costs are added with Kahan compensation, being many tiny amounts. */
  private static final class Sum {
    long requests;
    long promptTokens;
    long completionTokens;
    final Kahan cost = new Kahan();
    final Kahan price = new Kahan();
    long success;
    long error;
    long cancelled;

    void add(UsageRecord r) {
      requests++;
      promptTokens += r.promptTokens();
      completionTokens += r.completionTokens();
      cost.add(r.costUsd());
      price.add(r.priceUsd());
      switch (r.outcome()) {
        case SUCCESS:
          success++;
          break;
        case ERROR:
          error++;
          break;
        case CANCELLED:
        default:
          cancelled++;
      }
    }

    Totals totals() {
      return new Totals(
          requests, promptTokens, completionTokens, cost.sum, price.sum, success, error, cancelled);
    }
  }

  private static final class Kahan {
    double sum;
    double carry;

    void add(double value) {
      double y = value - carry;
      double t = sum + y;
      carry = (t - sum) - y;
      sum = t;
    }
  }

  /** For tests and tools: the report of {@code records} under {@code query}. */
  public static UsageReport of(UsageQuery query, Iterable<UsageRecord> records) {
    Aggregator aggregator = new Aggregator(query);
    records.forEach(aggregator);
    return aggregator.report(0);
  }
}
