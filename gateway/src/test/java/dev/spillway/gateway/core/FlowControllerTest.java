package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The gateway queue on its own: tier order, tenants' turns, bounds, removal and expiry. */
class FlowControllerTest {

  private static Pending pending(String id, ServiceTier tier, String tenant, long deadlineNanos) {
    GatewayRequest request =
        new GatewayRequest(
            id, "m", 10, 10, "", 0, SamplingParams.DEFAULT, tier, tenant, Optional.empty(), false);
    return new Pending(request, InferenceRequest.of(id, "m", 10, 10), null, null, 0, deadlineNanos);
  }

  private static Pending pending(String id, ServiceTier tier, String tenant) {
    return pending(id, tier, tenant, Long.MAX_VALUE);
  }

  private static FlowController flow(int capacity) {
    Map<ServiceTier, Integer> capacities = new EnumMap<>(ServiceTier.class);
    for (ServiceTier tier : ServiceTier.values()) {
      capacities.put(tier, capacity);
    }
    return new FlowController(capacities);
  }

  private static List<String> drain(FlowController flow) {
    List<String> ids = new ArrayList<>();
    for (Pending p = flow.poll(); p != null; p = flow.poll()) {
      assertThat(p.queued).isFalse();
      ids.add(p.request.id());
    }
    return ids;
  }

  @Test
  void drainsTiersInStrictPriorityOrder() {
    FlowController flow = flow(10);
    flow.offer(pending("flex", ServiceTier.FLEX, "t"));
    flow.offer(pending("batch", ServiceTier.BATCH, "t"));
    flow.offer(pending("default", ServiceTier.DEFAULT, "t"));
    flow.offer(pending("priority", ServiceTier.PRIORITY, "t"));

    assertThat(flow.peek().request.id()).isEqualTo("priority");
    assertThat(drain(flow)).containsExactly("priority", "default", "flex", "batch");
    assertThat(flow.isEmpty()).isTrue();
  }

  @Test
  void tenantsTakeTurnsOneRequestAtATimeAndArrivalsJoinAtTheBack() {
    FlowController flow = flow(20);
    for (int i = 0; i < 3; i++) {
      flow.offer(pending("a" + i, ServiceTier.DEFAULT, "a"));
    }
    flow.offer(pending("b0", ServiceTier.DEFAULT, "b"));
    flow.offer(pending("b1", ServiceTier.DEFAULT, "b"));

    assertThat(flow.poll().request.id()).isEqualTo("a0");
    // c arrives after a has moved behind b: the turn order is b, a, c.
    flow.offer(pending("c0", ServiceTier.DEFAULT, "c"));
    assertThat(drain(flow)).containsExactly("b0", "a1", "c0", "b1", "a2");
  }

  @Test
  void aTenantWhoseLineEmptiedRejoinsAtTheBack() {
    FlowController flow = flow(20);
    flow.offer(pending("a0", ServiceTier.DEFAULT, "a"));
    flow.offer(pending("b0", ServiceTier.DEFAULT, "b"));
    flow.offer(pending("b1", ServiceTier.DEFAULT, "b"));
    assertThat(flow.poll().request.id()).isEqualTo("a0");
    flow.offer(pending("a1", ServiceTier.DEFAULT, "a"));

    assertThat(drain(flow)).containsExactly("b0", "a1", "b1");
  }

  @Test
  void aFullTierRefusesWhileOtherTiersAccept() {
    FlowController flow = flow(2);
    assertThat(flow.offer(pending("d0", ServiceTier.DEFAULT, "a"))).isTrue();
    assertThat(flow.offer(pending("d1", ServiceTier.DEFAULT, "b"))).isTrue();
    Pending refused = pending("d2", ServiceTier.DEFAULT, "c");

    assertThat(flow.offer(refused)).isFalse();
    assertThat(refused.queued).isFalse();
    assertThat(flow.offer(pending("p0", ServiceTier.PRIORITY, "c"))).isTrue();
    assertThat(flow.size()).isEqualTo(3);
    assertThat(flow.size(ServiceTier.DEFAULT)).isEqualTo(2);
  }

  @Test
  void pushFrontPutsARetryAtTheHeadOfItsTenantsLineBeyondTheBound() {
    FlowController flow = flow(2);
    flow.offer(pending("a0", ServiceTier.DEFAULT, "a"));
    flow.offer(pending("a1", ServiceTier.DEFAULT, "a"));
    flow.pushFront(pending("retry", ServiceTier.DEFAULT, "a"));
    flow.pushFront(pending("other", ServiceTier.DEFAULT, "z"));

    assertThat(flow.size(ServiceTier.DEFAULT)).isEqualTo(4);
    assertThat(drain(flow)).containsExactly("retry", "other", "a0", "a1");
  }

  @Test
  void removeTakesARequestOutOfItsLineAndKeepsTheOthersTurns() {
    FlowController flow = flow(10);
    Pending a0 = pending("a0", ServiceTier.DEFAULT, "a");
    Pending b0 = pending("b0", ServiceTier.DEFAULT, "b");
    flow.offer(a0);
    flow.offer(b0);
    flow.offer(pending("c0", ServiceTier.DEFAULT, "c"));
    flow.offer(pending("a1", ServiceTier.DEFAULT, "a"));

    assertThat(flow.remove(b0)).isTrue();
    assertThat(b0.queued).isFalse();
    assertThat(flow.remove(b0)).isFalse();
    assertThat(flow.remove(pending("x", ServiceTier.DEFAULT, "a"))).isFalse();
    assertThat(flow.size()).isEqualTo(3);
    assertThat(flow.remove(a0)).isTrue();
    assertThat(drain(flow)).containsExactly("a1", "c0");
  }

  @Test
  void expireRemovesEveryLineHeadPastItsDeadlineAndKeepsTheRestInTurn() {
    FlowController flow = flow(10);
    flow.offer(pending("a0", ServiceTier.DEFAULT, "a", 100));
    flow.offer(pending("a1", ServiceTier.DEFAULT, "a", 200));
    flow.offer(pending("a2", ServiceTier.DEFAULT, "a", 900));
    flow.offer(pending("b0", ServiceTier.DEFAULT, "b", 150));
    flow.offer(pending("c0", ServiceTier.DEFAULT, "c", 800));
    flow.offer(pending("f0", ServiceTier.FLEX, "a", 50));
    flow.offer(pending("p0", ServiceTier.PRIORITY, "a", 700));

    assertThat(flow.earliestDeadline()).isEqualTo(50);
    List<String> expired = new ArrayList<>();
    flow.expire(200, p -> {
      assertThat(p.queued).isFalse();
      expired.add(p.request.id());
    });

    assertThat(expired).containsExactly("a0", "a1", "b0", "f0");
    assertThat(flow.size()).isEqualTo(3);
    assertThat(flow.size(ServiceTier.DEFAULT)).isEqualTo(2);
    assertThat(flow.earliestDeadline()).isEqualTo(700);
    assertThat(drain(flow)).containsExactly("p0", "a2", "c0");
    assertThat(flow.earliestDeadline()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void manyTenantsComingAndGoingAreServedAsTheTurnRuleSays() {
    FlowController flow = flow(1000);
    // The rule written plainly: tenants in a list in turn order; the first is served and moves to
    // the back, or leaves when its line is empty; a new tenant joins at the back.
    List<String> turns = new ArrayList<>();
    Map<String, java.util.ArrayDeque<Pending>> lines = new java.util.HashMap<>();
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    List<Pending> queued = new ArrayList<>();
    for (int step = 0; step < 5_000; step++) {
      int action = random.nextInt(10);
      if (action < 5) {
        String tenant = "t" + random.nextInt(12);
        Pending p = pending("r" + step, ServiceTier.DEFAULT, tenant);
        assertThat(flow.offer(p)).isTrue();
        queued.add(p);
        if (!lines.containsKey(tenant)) {
          turns.add(tenant);
          lines.put(tenant, new java.util.ArrayDeque<>());
        }
        lines.get(tenant).addLast(p);
      } else if (action < 9) {
        Pending expected = null;
        if (!turns.isEmpty()) {
          String tenant = turns.remove(0);
          expected = lines.get(tenant).pollFirst();
          if (lines.get(tenant).isEmpty()) {
            lines.remove(tenant);
          } else {
            turns.add(tenant);
          }
          queued.remove(expected);
        }
        assertThat(flow.poll()).isSameAs(expected);
      } else if (!queued.isEmpty()) {
        Pending p = queued.remove(random.nextInt(queued.size()));
        String tenant = p.request.tenant();
        lines.get(tenant).remove(p);
        if (lines.get(tenant).isEmpty()) {
          lines.remove(tenant);
          turns.remove(tenant);
        }
        assertThat(flow.remove(p)).isTrue();
      }
      assertThat(flow.size()).isEqualTo(queued.size());
    }
  }
}
