package dev.spillway.gateway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.gateway.config.BudgetConfig;
import dev.spillway.gateway.config.BudgetConfig.Period;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryQuotaStoreTest {

  private static final Instant T0 = Instant.parse("2026-03-18T10:00:00Z"); // a Wednesday
  private final ManualClock clock = new ManualClock(T0);
  private final MemoryQuotaStore store = new MemoryQuotaStore(clock, SpendHistory.NONE);

  private Decision reserve(Limits limits, long tokens, double usd) {
    return store.reserve("acme", limits, new Demand(tokens, usd)).toCompletableFuture().join();
  }

  private static LimitState state(Decision d, Limit limit) {
    return d.states().stream().filter(s -> s.limit() == limit).findFirst().orElseThrow();
  }

  @Test
  void rpmAdmitsExactlyTheLimitInAnySlidingMinute() {
    Limits rpm3 = new Limits(3, 0, Optional.empty());
    reserve(rpm3, 1, 0);
    clock.advance(Duration.ofSeconds(20));
    reserve(rpm3, 1, 0);
    clock.advance(Duration.ofSeconds(20));
    Decision third = reserve(rpm3, 1, 0);
    assertThat(third.admitted()).isTrue();
    assertThat(state(third, Limit.REQUESTS).remaining()).isZero();
    assertThat(state(third, Limit.REQUESTS).reset()).isEqualTo(Duration.ofSeconds(20));

    clock.advance(Duration.ofSeconds(19));
    Decision fourth = reserve(rpm3, 1, 0);
    assertThat(fourth.admitted()).isFalse();
    assertThat(fourth.denied()).contains(Limit.REQUESTS);
    assertThat(fourth.retryAfter()).isEqualTo(Duration.ofSeconds(1)); // when the first leaves the window
    assertThat(fourth.message()).contains("Limit 3, Used 3");

    clock.advance(Duration.ofSeconds(1)); // the first admission is now a minute old: out
    Decision fifth = reserve(rpm3, 1, 0);
    assertThat(fifth.admitted()).isTrue();
    assertThat(state(fifth, Limit.REQUESTS).remaining()).isZero();
    // A fixed window would now admit three more; the sliding one admits none until the second leaves.
    assertThat(reserve(rpm3, 1, 0).retryAfter()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void tpmReservesPromptPlusMaxOutputAndSettlesToWhatWasUsed() {
    Limits tpm = new Limits(0, 1000, Optional.empty());
    Decision first = reserve(tpm, 600, 0);
    assertThat(state(first, Limit.TOKENS).remaining()).isEqualTo(400);
    Decision tooMuch = reserve(tpm, 500, 0);
    assertThat(tooMuch.denied()).contains(Limit.TOKENS);
    assertThat(tooMuch.retryAfter()).isEqualTo(Duration.ofMinutes(1));

    first.reservation().get().settle(100, 0); // the answer was short
    Decision second = reserve(tpm, 500, 0);
    assertThat(second.admitted()).isTrue();
    assertThat(state(second, Limit.TOKENS).remaining()).isEqualTo(400);
  }

  @Test
  void releasingGivesBackTheRequestAndItsTokens() {
    Limits limits = new Limits(1, 100, Optional.empty());
    Decision first = reserve(limits, 80, 0);
    assertThat(reserve(limits, 10, 0).denied()).contains(Limit.REQUESTS);
    first.reservation().get().release();
    Decision again = reserve(limits, 90, 0);
    assertThat(again.admitted()).isTrue();
    assertThat(state(again, Limit.TOKENS).remaining()).isEqualTo(10);
  }

  @Test
  void onlyTheFirstEndOfAReservationCounts() {
    Limits tpm = new Limits(0, 1000, Optional.empty());
    Reservation r = reserve(tpm, 600, 0).reservation().get();
    r.settle(100, 0);
    r.release(); // too late: already settled
    r.settle(900, 0);
    assertThat(store.states("acme", tpm).get(0).remaining()).isEqualTo(900);
  }

  @Test
  void aRequestLargerThanTheTokenLimitIsDeniedAsTooLarge() {
    Decision d = reserve(new Limits(0, 100, Optional.empty()), 101, 0);
    assertThat(d.denied()).contains(Limit.TOKENS);
    assertThat(d.message()).startsWith("Request too large");
  }

  @Test
  void settlingAfterTheWindowChangesNothing() {
    Limits tpm = new Limits(0, 1000, Optional.empty());
    Reservation r = reserve(tpm, 600, 0).reservation().get();
    clock.advance(Duration.ofSeconds(61));
    r.settle(5000, 0); // a long stream: its tokens were counted at admission, a window ago
    assertThat(store.states("acme", tpm).get(0).remaining()).isEqualTo(1000);
  }

  @Test
  void theBudgetReservesThePredictedPriceAndSettlesToTheRealOne() {
    Limits budget = new Limits(0, 0, Optional.of(new BudgetConfig(1.0, Period.DAY)));
    Reservation a = reserve(budget, 10, 0.6).reservation().get();
    Decision b = reserve(budget, 10, 0.6);
    assertThat(b.denied()).contains(Limit.BUDGET);
    assertThat(b.retryAfter()).isEqualTo(Duration.ofHours(14)); // until midnight UTC
    a.settle(10, 0.25);
    assertThat(store.committedUsd("acme")).isEqualTo(0.25);
    assertThat(reserve(budget, 10, 0.6).admitted()).isTrue();
    assertThat(store.committedUsd("acme")).isEqualTo(0.85);
    assertThat(reserve(budget, 10, 0.2).denied()).contains(Limit.BUDGET);
  }

  @Test
  void aNewPeriodStartsWithNothingSpent() {
    Limits weekly = new Limits(0, 0, Optional.of(new BudgetConfig(1.0, Period.WEEK)));
    reserve(weekly, 10, 1.0).reservation().get().settle(10, 1.0);
    assertThat(reserve(weekly, 10, 0.01).denied()).contains(Limit.BUDGET);
    clock.set(Instant.parse("2026-03-23T00:00:00Z")); // the next Monday
    assertThat(reserve(weekly, 10, 0.9).admitted()).isTrue();
  }

  @Test
  void theBudgetStartsFromWhatTheHistorySaysWasSpentThisPeriod() {
    List<Instant> asked = new ArrayList<>();
    SpendHistory ledger =
        (tenant, since) -> {
          asked.add(since);
          return tenant.equals("acme") ? 49.5 : 0;
        };
    MemoryQuotaStore restarted = new MemoryQuotaStore(clock, ledger);
    Limits monthly = new Limits(0, 0, Optional.of(new BudgetConfig(50.0, Period.MONTH)));
    restarted.preload(Map.of("acme", monthly));
    assertThat(asked).containsExactly(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(restarted.reserve("acme", monthly, new Demand(1, 0.6)).toCompletableFuture().join().denied())
        .contains(Limit.BUDGET);
    assertThat(restarted.reserve("acme", monthly, new Demand(1, 0.4)).toCompletableFuture().join().admitted())
        .isTrue();
  }

  @Test
  void budgetPeriodsAreCalendarPeriodsInUtc() {
    assertThat(BudgetPeriods.start(Period.DAY, T0)).isEqualTo(Instant.parse("2026-03-18T00:00:00Z"));
    assertThat(BudgetPeriods.start(Period.WEEK, T0)).isEqualTo(Instant.parse("2026-03-16T00:00:00Z"));
    assertThat(BudgetPeriods.start(Period.MONTH, T0)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    assertThat(BudgetPeriods.end(Period.MONTH, Instant.parse("2026-12-01T00:00:00Z")))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void tenantsAreCountedApart() {
    Limits rpm1 = new Limits(1, 0, Optional.empty());
    assertThat(store.reserve("a", rpm1, new Demand(1, 0)).toCompletableFuture().join().admitted()).isTrue();
    assertThat(store.reserve("b", rpm1, new Demand(1, 0)).toCompletableFuture().join().admitted()).isTrue();
    assertThat(store.reserve("a", rpm1, new Demand(1, 0)).toCompletableFuture().join().admitted()).isFalse();
  }
}
