package dev.spillway.loadtest.plan;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.PricingPlan;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A plan, validated: a workload of one model, per-tier goals, the pool shapes that may be bought, the
 * routing policies to try and the pricing they are bought under. Made by {@link PlanFile}.
 *
 * @param name what the reports call it
 * @param source where it was read from, for the reports
 * @param workloadSource what the workload replays or samples, for the reports: a trace file, or "distributions"
 * @param slo the goals of every tier the workload sends; a request of another tier is not judged
 * @param candidates in the file's order; compositions count replicas in this order
 * @param gateway the gateway configuration of the model with the candidates as pools of one replica:
 *     its server, queue bounds and objectives, which every simulated fleet takes
 * @param maxReplicas the most replicas of a candidate without its own {@code max}
 * @param burst the reserved-base-plus-burst alternative to weigh against the best fixed fleet; null for none
 */
public record PlanSpec(
    String name,
    String source,
    String workloadSource,
    WorkloadOptions workload,
    Map<ServiceTier, TierGoal> slo,
    List<Candidate> candidates,
    List<String> policies,
    PricingPlan pricing,
    Profiles profiles,
    GatewayConfig gateway,
    int maxReplicas,
    Burst burst) {

  public PlanSpec {
    requireNonNull(name, "name");
    requireNonNull(source, "source");
    requireNonNull(workloadSource, "workloadSource");
    requireNonNull(workload, "workload");
    slo = Map.copyOf(slo);
    candidates = List.copyOf(candidates);
    policies = List.copyOf(policies);
    requireNonNull(pricing, "pricing");
    requireNonNull(profiles, "profiles");
    requireNonNull(gateway, "gateway");
    if (gateway.models().size() != 1) {
      throw new IllegalArgumentException("gateway: " + gateway.models().size() + " models (expected: the plan's one)");
    }
    if (slo.isEmpty() || candidates.isEmpty() || policies.isEmpty()) {
      throw new IllegalArgumentException("slo, candidates, policies: (expected: at least one of each)");
    }
  }

  /** The model's gateway configuration. */
  public ModelConfig model() {
    return gateway.models().get(0);
  }

  /** The tiers with goals, in tier order. */
  public List<ServiceTier> tiers() {
    List<ServiceTier> tiers = new ArrayList<>();
    for (ServiceTier tier : ServiceTier.values()) {
      if (slo.containsKey(tier)) {
        tiers.add(tier);
      }
    }
    return tiers;
  }

  /** The most replicas of candidate {@code index} the planner may buy. */
  public int limit(int index) {
    return Math.min(candidates.get(index).max(), maxReplicas);
  }

  /** The gateway to simulate: the model with the composition's pools, routed by {@code policy}. */
  public GatewayConfig config(Composition composition, String policy) {
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (composition.replicas(i) > 0) {
        pools.add(candidates.get(i).withReplicas(composition.replicas(i)));
      }
    }
    return config(pools, policy);
  }

  /**
   * The gateway to simulate with {@link #burst}: each pool of {@code most} scales from its count in
   * {@code base} up to its count in {@code most}.
   */
  public GatewayConfig config(Composition base, Composition most, String policy) {
    requireNonNull(burst, "burst");
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < candidates.size(); i++) {
      if (most.replicas(i) > 0) {
        pools.add(candidates.get(i).autoscaled(burst.autoscale(base.replicas(i), most.replicas(i))));
      }
    }
    return config(pools, policy);
  }

  private GatewayConfig config(List<PoolConfig> pools, String policy) {
    ModelConfig model = model();
    Map<ServiceTier, Slo> objectives = new EnumMap<>(model.slos());
    slo.forEach(
        (tier, goal) -> {
          Slo own = objectives.get(tier);
          objectives.put(
              tier,
              new Slo(
                  goal.goals().ttft() != null ? goal.goals().ttft() : own.ttft(),
                  goal.goals().tpot() != null ? goal.goals().tpot() : own.tpot()));
        });
    ModelConfig routed =
        new ModelConfig(
            model.name(), model.aliases(), policy, model.queueCapacity(), model.maxQueueWait(), objectives,
            model.defaultMaxTokens(), model.embeddingDimensions(), pools);
    return new GatewayConfig(gateway.server(), List.of(routed));
  }
}
