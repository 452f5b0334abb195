package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.BudgetConfig;
import dev.spillway.gateway.config.ClusterConfig.OnFailure;
import dev.spillway.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Limits and budgets in Redis, shared by every gateway replica that points at it: exact across
 * replicas, because each reservation is one Lua script ({@code reserve.lua}) that expires the
 * tenant's sliding log, checks rpm, tpm and the budget, and adds the reservation, atomically and on
 * Redis's own clock (so replicas' clocks need not agree). Settling and releasing are one script each
 * ({@code settle.lua}), sent without waiting for the answer.
 *
 * <p>Per tenant, in one hash slot ({@code {tenant}}): a sorted set of reservation ids by admission
 * time, a hash of each one's tokens, their sum, and one key per budget period holding spend plus
 * outstanding reservations. Window keys expire after two idle windows, budget keys after their period.
 *
 * <p>When Redis cannot be reached (an error, or no answer in {@link #TIMEOUT}), the configured
 * {@link OnFailure} decides: {@code LOCAL} fails open to this replica's own {@link MemoryQuotaStore}
 * (every limit then holds per replica, so N replicas admit up to N times a limit during the outage),
 * {@code CLOSED} refuses limited tenants' requests with 503. Either way the gateway keeps serving,
 * {@code spillway_quota_store_up{store="redis"}} drops to 0 and
 * {@code spillway_quota_without_store_total{mode}} counts the decisions. A reservation settles in the
 * store that made it.
 */
public final class RedisQuotaStore implements QuotaStore {

  /** The longest an admission waits for Redis before the outage rule decides. */
  static final Duration TIMEOUT = Duration.ofMillis(500);

  private static final String RESERVE = script("reserve.lua");
  private static final String SETTLE = script("settle.lua");
  private static final String RESERVE_SHA = sha1(RESERVE);
  private static final String SETTLE_SHA = sha1(SETTLE);

  private final Redis redis;
  private final OnFailure onFailure;
  private final MemoryQuotaStore local;
  private final InstantSource clock;
  private final SpendHistory history;
  private final GatewayMetrics metrics;
  /** The period start each budgeted tenant's history was read for, and what it said. */
  private final Map<String, Map.Entry<Instant, Double>> spentBefore = new ConcurrentHashMap<>();
  private final AtomicBoolean up = new AtomicBoolean(true);

  public RedisQuotaStore(
      Vertx vertx, String connectionString, OnFailure onFailure, InstantSource clock,
      SpendHistory history, GatewayMetrics metrics) {
    requireNonNull(vertx, "vertx");
    requireNonNull(connectionString, "connectionString");
    this.onFailure = requireNonNull(onFailure, "onFailure");
    this.clock = requireNonNull(clock, "clock");
    this.history = requireNonNull(history, "history");
    this.metrics = requireNonNull(metrics, "metrics");
    this.local = new MemoryQuotaStore(clock, history);
    this.redis =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(connectionString)
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(4096)
                .setMaxWaitingHandlers(4096));
    metrics.quotaStoreUp("redis", true);
  }

  /**
   * Reads each budgeted tenant's spend in its current period from the history, for the period's key
   * when this store creates it (a key another replica already made wins); may block.
   */
  public void preload(Map<String, Limits> limits) {
    Instant now = clock.instant();
    limits.forEach(
        (tenant, l) ->
            l.budget().ifPresent(b -> {
              Instant period = BudgetPeriods.start(b.period(), now);
              spentBefore.put(tenant, Map.entry(period, Math.max(0, history.spentUsd(tenant, period))));
            }));
    local.preload(limits);
  }

  @Override
  public CompletionStage<Decision> reserve(String tenant, Limits limits, Demand demand) {
    requireNonNull(tenant, "tenant");
    requireNonNull(limits, "limits");
    requireNonNull(demand, "demand");
    Instant now = clock.instant();
    String id = UUID.randomUUID().toString();
    Instant period = Instant.EPOCH;
    double before = 0;
    long ttl = 1;
    if (limits.budget().isPresent()) {
      BudgetConfig budget = limits.budget().get();
      period = BudgetPeriods.start(budget.period(), now);
      Map.Entry<Instant, Double> known = spentBefore.get(tenant);
      before = known != null && known.getKey().equals(period) ? known.getValue() : 0;
      ttl = Duration.between(now, BudgetPeriods.end(budget.period(), period)).toSeconds() + 86_400;
    }
    Instant budgetPeriod = period;
    List<String> args = new ArrayList<>(13);
    keys(args, tenant, period);
    args.add(Long.toString(limits.rpm()));
    args.add(Long.toString(limits.tpm()));
    args.add(Long.toString(demand.tokens()));
    args.add(plain(demand.usd()));
    args.add(limits.budget().map(b -> plain(b.usd())).orElse("-1"));
    args.add(id);
    args.add(Long.toString(Limits.WINDOW.toMillis()));
    args.add(Long.toString(ttl));
    args.add(plain(before));
    Future<Decision> decided =
        eval(RESERVE, RESERVE_SHA, args)
            .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .map(r -> decision(r, tenant, limits, demand, id, now, budgetPeriod));
    return decided
        .onSuccess(d -> markUp())
        .recover(failure -> withoutRedis(tenant, limits, demand, failure))
        .toCompletionStage();
  }

  private Decision decision(
      Response r, String tenant, Limits limits, Demand demand, String id, Instant now, Instant period) {
    boolean admitted = r.get(0).toLong() == 1;
    long requests = r.get(3).toLong();
    long tokens = r.get(4).toLong();
    Duration oldest = Duration.ofMillis(r.get(5).toLong());
    List<LimitState> states = new ArrayList<>(2);
    if (limits.rpm() > 0) {
      states.add(new LimitState(Limit.REQUESTS, limits.rpm(), limits.rpm() - requests, oldest));
    }
    if (limits.tpm() > 0) {
      states.add(new LimitState(Limit.TOKENS, limits.tpm(), limits.tpm() - tokens, oldest));
    }
    if (admitted) {
      return Decision.admitted(new Reservation(this, id, tenant, demand, now, period), states);
    }
    String limit = r.get(1).toString();
    Duration retry = Duration.ofMillis(Math.max(1, r.get(2).toLong()));
    switch (limit) {
      case "requests":
        return Decision.denied(
            Limit.REQUESTS, retry, states,
            "Rate limit reached for tenant " + tenant + " on requests per min (RPM): Limit "
                + limits.rpm() + ", Used " + requests + ", Requested 1.");
      case "tokens":
        return Decision.denied(
            Limit.TOKENS, retry, states,
            (demand.tokens() > limits.tpm() ? "Request too large" : "Rate limit reached")
                + " for tenant " + tenant + " on tokens per min (TPM): Limit " + limits.tpm()
                + ", Used " + tokens + ", Requested " + demand.tokens() + ".");
      default:
        BudgetConfig budget = limits.budget().orElseThrow();
        return Decision.denied(
            Limit.BUDGET, Duration.between(now, BudgetPeriods.end(budget.period(), period)), states,
            "You exceeded your current quota: tenant " + tenant + " has spent its budget of "
                + budget.usd() + " USD per " + budget.period().wireName() + ".");
    }
  }

  private Future<Decision> withoutRedis(String tenant, Limits limits, Demand demand, Throwable failure) {
    if (up.compareAndSet(true, false)) {
      metrics.quotaStoreUp("redis", false);
      org.slf4j.LoggerFactory.getLogger(RedisQuotaStore.class)
          .warn("quota store: Redis out of reach ({}); deciding {} until it answers",
              failure.toString(), onFailure == OnFailure.LOCAL ? "with this replica's own limits" : "503 (fail closed)");
    }
    metrics.quotaWithoutStore(onFailure.wireName());
    if (onFailure == OnFailure.LOCAL) {
      return Future.fromCompletionStage(local.reserve(tenant, limits, demand));
    }
    return Future.succeededFuture(
        Decision.denied(
            Limit.STORE, Duration.ofSeconds(1), List.of(),
            "The gateway cannot reach its quota store; try again shortly."));
  }

  private void markUp() {
    if (up.compareAndSet(false, true)) {
      metrics.quotaStoreUp("redis", true);
      org.slf4j.LoggerFactory.getLogger(RedisQuotaStore.class).warn("quota store: Redis answers again");
    }
  }

  @Override
  public CompletionStage<Void> settle(Reservation r, long tokens, double usd) {
    return send(r, tokens, usd - r.demand().usd());
  }

  @Override
  public CompletionStage<Void> release(Reservation r) {
    return send(r, -1, -r.demand().usd());
  }

  private CompletionStage<Void> send(Reservation r, long tokens, double usdDelta) {
    List<String> args = new ArrayList<>(8);
    keys(args, r.tenant(), r.budgetPeriod());
    args.add(r.id());
    args.add(Long.toString(tokens));
    args.add(plain(usdDelta));
    args.add(r.budgetPeriod().equals(Instant.EPOCH) ? "0" : "1");
    // Nobody waits for it: a lost settlement leaves the reservation's worst case counted until it
    // leaves the window (and in the budget for the period).
    return eval(SETTLE, SETTLE_SHA, args)
        .onFailure(e -> metrics.quotaWithoutStore(onFailure.wireName()))
        .<Void>mapEmpty()
        .toCompletionStage();
  }

  /** The four keys of one tenant, in one hash slot; the budget key names its period. */
  private static void keys(List<String> args, String tenant, Instant period) {
    String base = "spillway:quota:{" + tenant + "}:";
    args.add(""); // the script, filled in by eval
    args.add("4");
    args.add(base + "log");
    args.add(base + "tokens");
    args.add(base + "sums");
    args.add(base + "budget:" + LocalDate.ofInstant(period, ZoneOffset.UTC));
  }

  /** EVALSHA, and EVAL once when the server does not know the script (a restart, a new server). */
  private Future<Response> eval(String script, String sha, List<String> args) {
    List<String> bySha = new ArrayList<>(args);
    bySha.set(0, sha);
    return redis
        .send(request(Command.EVALSHA, bySha))
        .recover(
            e -> {
              if (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")) {
                List<String> byText = new ArrayList<>(args);
                byText.set(0, script);
                return redis.send(request(Command.EVAL, byText));
              }
              return Future.failedFuture(e);
            });
  }

  private static Request request(Command command, List<String> args) {
    Request request = Request.cmd(command);
    for (String arg : args) {
      request.arg(arg);
    }
    return request;
  }

  /** A decimal without an exponent, as INCRBYFLOAT reads it. */
  private static String plain(double value) {
    return BigDecimal.valueOf(value).toPlainString();
  }

  @Override
  public CompletionStage<Void> close() {
    return redis.close().toCompletionStage();
  }

  private static String script(String name) {
    try (InputStream in = RedisQuotaStore.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1: not available (expected: in every JDK)", e);
    }
  }
}
