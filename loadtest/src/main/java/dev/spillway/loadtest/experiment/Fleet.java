package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.EmulatedBackend;
import dev.spillway.backends.emulator.EmulatedBackendProvider;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.config.ServerConfig;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import dev.spillway.loadtest.metrics.SloGoals;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pools of one model that an experiment routes over, each with what it costs per hour: a replica's
 * share of its accelerator's price ({@code Deployment.costPerSecond()}), times the replicas. Only
 * emulated pools have a price and run in virtual time, so only they are allowed. Immutable.
 */
public final class Fleet {

  /** Replica counts are whole: a budget within this relative margin of one more replica buys it. */
  private static final double BUDGET_EPSILON = 1e-9;

  /**
   * One pool.
   *
   * @param description the deployment as the emulator describes it: {@code p5.48xlarge tp=2 (2 of 8 chips) fp8 trtllm}
   * @param replicaCostPerHour one replica's share of its instance price, USD per hour
   */
  public record Pool(PoolConfig config, String accelerator, String description, double replicaCostPerHour) {

    public Pool {
      requireNonNull(config, "config");
      requireNonNull(accelerator, "accelerator");
      requireNonNull(description, "description");
    }

    public int replicas() {
      return config.replicas();
    }

    public double costPerHour() {
      return replicaCostPerHour * config.replicas();
    }
  }

  private final ServerConfig server;
  private final ModelConfig model;
  private final List<Pool> pools;

  private Fleet(ServerConfig server, ModelConfig model, List<Pool> pools) {
    this.server = server;
    this.model = model;
    this.pools = List.copyOf(pools);
  }

  /**
   * The pools of {@code modelName} (a name or alias) in {@code config}, priced with {@code profiles}.
   * Errors name the field: {@code workload.model} when the fleet lacks the model, otherwise
   * {@code where.models[i].pools[j]...}.
   */
  public static Fleet of(GatewayConfig config, String modelName, Profiles profiles, String where) {
    List<ModelConfig> models = config.models();
    for (int i = 0; i < models.size(); i++) {
      ModelConfig m = models.get(i);
      if (!m.name().equals(modelName) && !m.aliases().contains(modelName)) {
        continue;
      }
      if (m.embedding()) {
        throw new IllegalArgumentException(
            "workload.model: " + modelName + " (expected: a generative model; the fleet serves it as embeddings)");
      }
      List<Pool> pools = new ArrayList<>();
      for (int j = 0; j < m.pools().size(); j++) {
        pools.add(price(m.pools().get(j), m.name(), profiles, where + ".models[" + i + "].pools[" + j + "]"));
      }
      return new Fleet(config.server(), m, pools);
    }
    List<String> names = new ArrayList<>();
    models.forEach(m -> names.add(m.name()));
    throw new IllegalArgumentException(
        "workload.model: " + modelName + " (expected one of the fleet's models: " + names + ")");
  }

  private static Pool price(PoolConfig pool, String model, Profiles profiles, String path) {
    if (!"emulated".equals(pool.kind())) {
      throw new IllegalArgumentException(
          path + ".kind: " + pool.kind() + " (expected: emulated; an experiment runs in virtual time)");
    }
    EmulatedBackend backend;
    try {
      backend =
          (EmulatedBackend)
              new EmulatedBackendProvider()
                  .create(
                      new BackendSpec(pool.name(), pool.kind(), model, 1, pool.settings()),
                      new BackendContext(new VirtualClock(), Map.of(Profiles.class, profiles)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
    return new Pool(
        pool, backend.deployment().accelerator().name(), backend.description(),
        backend.deployment().costPerSecond() * 3600);
  }

  public String model() {
    return model.name();
  }

  public List<Pool> pools() {
    return pools;
  }

  /** Every replica's price per hour, summed. */
  public double costPerHour() {
    double total = 0;
    for (Pool pool : pools) {
      total += pool.costPerHour();
    }
    return total;
  }

  /** The distinct accelerators of the pools, in pool order. */
  public List<String> accelerators() {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    pools.forEach(p -> names.add(p.accelerator()));
    return List.copyOf(names);
  }

  /**
   * A fleet of only {@code accelerator}, deployed as its first pool here is (tensor parallelism, dtype,
   * stack, batch delay), with as many replicas as {@code budgetPerHour} buys: the floor, at least one.
   */
  public Fleet singleAccelerator(String accelerator, double budgetPerHour) {
    for (Pool pool : pools) {
      if (pool.accelerator().equals(accelerator)) {
        int replicas =
            (int) Math.max(1, Math.floor(budgetPerHour / pool.replicaCostPerHour() * (1 + BUDGET_EPSILON)));
        PoolConfig c = pool.config();
        PoolConfig only = new PoolConfig(c.name(), c.kind(), replicas, c.maxBatchDelay(), c.settings());
        return new Fleet(
            server, withPools(model, List.of(only)),
            List.of(new Pool(only, pool.accelerator(), pool.description(), pool.replicaCostPerHour())));
      }
    }
    throw new IllegalArgumentException("accelerator: " + accelerator + " (expected one of: " + accelerators() + ")");
  }

  /**
   * The gateway configuration to simulate: this model alone, routed by {@code policy}; with
   * {@code objective}, its TTFT and TPOT goals replace the model's routing objective in every tier.
   */
  public GatewayConfig config(String policy, SloGoals objective) {
    Map<ServiceTier, Slo> slos = new EnumMap<>(model.slos());
    if (objective != null) {
      for (ServiceTier tier : ServiceTier.values()) {
        Slo own = slos.get(tier);
        slos.put(
            tier,
            new Slo(
                objective.ttft() != null ? objective.ttft() : own.ttft(),
                objective.tpot() != null ? objective.tpot() : own.tpot()));
      }
    }
    ModelConfig routed =
        new ModelConfig(
            model.name(), model.aliases(), policy, model.queueCapacity(), model.maxQueueWait(), slos,
            model.defaultMaxTokens(), model.embeddingDimensions(), model.pools());
    return new GatewayConfig(server, List.of(routed));
  }

  /** One line per pool: {@code 2 × trn2.48xlarge tp=64 (...) — $71.52/h}. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (Pool pool : pools) {
      lines.add(
          String.format(
              Locale.ROOT, "%s: %d × %s, $%.2f/h", pool.config().name(), pool.replicas(),
              pool.description(), pool.costPerHour()));
    }
    return lines;
  }

  private static ModelConfig withPools(ModelConfig m, List<PoolConfig> pools) {
    return new ModelConfig(
        m.name(), m.aliases(), m.routing(), m.queueCapacity(), m.maxQueueWait(), m.slos(),
        m.defaultMaxTokens(), m.embeddingDimensions(), pools);
  }
}
