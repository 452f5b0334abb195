package dev.spillway.gateway.ledger;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /admin/usage} asks of the ledger: which records (tenant, model, a time window) and
 * how to group them.
 *
 * @param from records at or after this instant
 * @param to records before this instant
 */
public record UsageQuery(
    Optional<String> tenant,
    Optional<String> model,
    Optional<Instant> from,
    Optional<Instant> to,
    GroupBy groupBy) {

  static final List<String> PARAMETERS = List.of("tenant", "model", "from", "to", "group_by");

  /** The dimension records are summed over. */
  public enum GroupBy {
    TENANT,
    MODEL,
    /** The API key's id. */
    KEY,
    /** The cost-allocation tag (a Bedrock application inference profile's). */
    TAG,
    /** The UTC day of the record's {@code time}, {@code 2025-01-31}. */
    DAY;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
      return wireName;
    }
  }

  /** A query parameter the client got wrong; {@link #param()} names it. */
  public static final class BadParameter extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String param;

    BadParameter(String param, String message) {
      super(message);
      this.param = param;
    }

    public String param() {
      return param;
    }
  }

  public UsageQuery {
    requireNonNull(tenant, "tenant");
    requireNonNull(model, "model");
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(groupBy, "groupBy");
  }

  /** Every record, by tenant. */
  public static UsageQuery all(GroupBy groupBy) {
    return new UsageQuery(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), groupBy);
  }

  /**
   * Reads {@code tenant}, {@code model}, {@code from}, {@code to} (ISO-8601 instants, or dates meaning
   * their midnight UTC) and {@code group_by} ({@code tenant} by default) from query parameters.
   *
   * @throws BadParameter naming the first parameter that is unknown, repeated or malformed
   */
  public static UsageQuery parse(Map<String, List<String>> params) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (!PARAMETERS.contains(e.getKey())) {
        throw new BadParameter(
            e.getKey(), e.getKey() + ": unknown (expected one of: " + String.join(", ", PARAMETERS) + ")");
      }
      if (e.getValue().size() > 1) {
        throw new BadParameter(
            e.getKey(), e.getKey() + ": given " + e.getValue().size() + " times (expected: at most once)");
      }
    }
    Optional<String> tenant = nonEmpty(params, "tenant");
    Optional<String> model = nonEmpty(params, "model");
    Optional<Instant> from = nonEmpty(params, "from").map(text -> instant("from", text));
    Optional<Instant> to = nonEmpty(params, "to").map(text -> instant("to", text));
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new BadParameter(
          "to", "to: " + to.get() + " (expected: after from " + from.get() + ")");
    }
    GroupBy groupBy = GroupBy.TENANT;
    Optional<String> group = nonEmpty(params, "group_by");
    if (group.isPresent()) {
      groupBy = null;
      for (GroupBy g : GroupBy.values()) {
        if (g.wireName().equals(group.get())) {
          groupBy = g;
        }
      }
      if (groupBy == null) {
        throw new BadParameter(
            "group_by", "group_by: " + group.get() + " (expected: tenant, model, key, tag or day)");
      }
    }
    return new UsageQuery(tenant, model, from, to, groupBy);
  }

  /** Whether {@code record} is one this query sums. */
  public boolean matches(UsageRecord record) {
    return (tenant.isEmpty() || tenant.get().equals(record.tenant()))
        && (model.isEmpty() || model.get().equals(record.model()))
        && (from.isEmpty() || !record.time().isBefore(from.get()))
        && (to.isEmpty() || record.time().isBefore(to.get()));
  }

  /** The group {@code record} is summed in; null for a record without a key or tag, grouped by it. */
  String groupOf(UsageRecord record) {
    switch (groupBy) {
      case TENANT:
        return record.tenant();
      case MODEL:
        return record.model();
      case KEY:
        return record.keyId();
      case TAG:
        return record.tag();
      case DAY:
      default:
        return LocalDate.ofInstant(record.time(), ZoneOffset.UTC).toString();
    }
  }

  private static Optional<String> nonEmpty(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty()) {
      return Optional.empty();
    }
    String value = values.get(0);
    if (value.isEmpty()) {
      throw new BadParameter(name, name + ": empty (expected: a value, or no " + name + " parameter)");
    }
    return Optional.of(value);
  }

  private static Instant instant(String name, String text) {
    try {
      if (text.length() == 10) {
        return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new BadParameter(
          name,
          name + ": " + text
              + " (expected: an ISO-8601 instant such as 2025-01-31T00:00:00Z, or a date such as 2025-01-31)");
    }
  }
}
