package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.gateway.config.BudgetConfig;
import dev.spillway.gateway.config.ClusterConfig.OnFailure;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.gateway.tenancy.Decision;
import dev.spillway.gateway.tenancy.Demand;
import dev.spillway.gateway.tenancy.Limit;
import dev.spillway.gateway.tenancy.LimitState;
import dev.spillway.gateway.tenancy.Limits;
import dev.spillway.gateway.tenancy.RedisQuotaStore;
import dev.spillway.gateway.tenancy.SpendHistory;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Redis store's semantics against a real server, and what the gateway does when Redis is away. */
class RedisQuotaTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Decision reserve(RedisQuotaStore store, String tenant, Limits limits, long tokens, double usd) {
    return store.reserve(tenant, limits, new Demand(tokens, usd)).toCompletableFuture().join();
  }

  private static long remaining(Decision d, Limit limit) {
    return d.states().stream().filter(s -> s.limit() == limit).mapToLong(LimitState::remaining).findFirst().orElseThrow();
  }

  @Test
  void reservesSettlesAndReleasesInRedis() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisQuotaStore store =
          new RedisQuotaStore(vertx, redis.url(), OnFailure.CLOSED, InstantSource.system(), SpendHistory.NONE,
              GatewayMetrics.NOOP);
      Limits limits = new Limits(2, 1000, Optional.empty());
      Decision first = reserve(store, "t", limits, 600, 0);
      assertThat(first.admitted()).isTrue();
      assertThat(remaining(first, Limit.REQUESTS)).isEqualTo(1);
      assertThat(remaining(first, Limit.TOKENS)).isEqualTo(400);
      assertThat(reserve(store, "t", limits, 500, 0).denied()).contains(Limit.TOKENS);

      first.reservation().get().settle(100, 0).toCompletableFuture().get(5, TimeUnit.SECONDS);
      Decision second = reserve(store, "t", limits, 500, 0);
      assertThat(remaining(second, Limit.TOKENS)).isEqualTo(400);
      Decision third = reserve(store, "t", limits, 1, 0);
      assertThat(third.denied()).contains(Limit.REQUESTS);
      assertThat(third.retryAfter().toMillis()).isBetween(1L, 60_000L);

      second.reservation().get().release().toCompletableFuture().get(5, TimeUnit.SECONDS);
      Decision fourth = reserve(store, "t", limits, 1, 0);
      assertThat(fourth.admitted()).isTrue();
      assertThat(remaining(fourth, Limit.TOKENS)).isEqualTo(1000 - 100 - 1);
      store.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theBudgetIsSharedAndStartsFromTheHistory() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      Limits budget = new Limits(0, 0, Optional.of(new BudgetConfig(1.0, BudgetConfig.Period.MONTH)));
      SpendHistory ledger = (tenant, since) -> 0.5;
      RedisQuotaStore a =
          new RedisQuotaStore(vertx, redis.url(), OnFailure.CLOSED, InstantSource.system(), ledger, GatewayMetrics.NOOP);
      RedisQuotaStore b =
          new RedisQuotaStore(vertx, redis.url(), OnFailure.CLOSED, InstantSource.system(), ledger, GatewayMetrics.NOOP);
      a.preload(Map.of("t", budget));
      b.preload(Map.of("t", budget));
      Decision first = reserve(a, "t", budget, 1, 0.3);
      assertThat(first.admitted()).isTrue();
      // 0.5 spent before, 0.3 reserved on a: b sees both.
      assertThat(reserve(b, "t", budget, 1, 0.3).denied()).contains(Limit.BUDGET);
      first.reservation().get().settle(1, 0.1).toCompletableFuture().get(5, TimeUnit.SECONDS);
      Decision onB = reserve(b, "t", budget, 1, 0.3);
      assertThat(onB.admitted()).as("%s", onB).isTrue();
      assertThat(reserve(a, "t", budget, 1, 0.2).denied()).contains(Limit.BUDGET);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String config(int redisPort, String mode) {
    return TenantLimitsTest.MODELS
        + "tenants: [{name: acme, rpm: 2, keys: [{id: k, sha256: sha(s)}]}]\n"
        + "cluster: {redis: redis://127.0.0.1:" + redisPort + ", onRedisFailure: " + mode + "}\n";
  }

  @Test
  void withRedisAwayTheGatewayFailsOpenToItsOwnLimitsAndSaysSo() throws Exception {
    try (KeyedGateway gateway = new KeyedGateway(config(freePort(), "local"))) {
      assertThat(gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s").statusCode()).isEqualTo(200);
      assertThat(gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s").statusCode()).isEqualTo(200);
      HttpResponse<String> third = gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s");
      assertThat(third.statusCode()).isEqualTo(429); // the local limit still holds
      String metrics = gateway.get("/metrics").body();
      assertThat(metrics)
          .contains("spillway_quota_store_up{store=\"redis\"} 0.0")
          .contains("spillway_quota_without_store_total{mode=\"local\"} 3.0")
          .contains("spillway_quota_rejected_total{limit=\"requests\",tenant=\"acme\"} 1.0");
    }
  }

  @Test
  void withRedisAwayAndFailClosedLimitedTenantsGet503() throws Exception {
    try (KeyedGateway gateway = new KeyedGateway(config(freePort(), "closed"))) {
      HttpResponse<String> r = gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(KeyedGateway.json(r).get("error").get("code").asText()).isEqualTo("service_unavailable");
      assertThat(r.headers().firstValue("retry-after")).contains("1");
      assertThat(gateway.get("/health").statusCode()).isEqualTo(200);
      assertThat(gateway.get("/metrics").body())
          .contains("spillway_quota_without_store_total{mode=\"closed\"} 1.0")
          .contains("spillway_quota_rejected_total{limit=\"store\",tenant=\"acme\"} 1.0");
    }
  }
}
