package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's core: one {@link ModelScheduler} per configured model over pools made by the backend
 * kinds found with {@code ServiceLoader}. Clock-driven, with no HTTP types, so the same object serves
 * live traffic on a Vert.x context and simulated traffic on a virtual clock.
 *
 * <p>Single-threaded: construct it and call it on the clock's thread.
 */
public final class GatewayCore implements Gateway, AutoCloseable {

  private final Clock clock;
  private final GatewayMetrics metrics;
  private final Map<String, ModelScheduler> byName = new HashMap<>();
  private final List<ModelScheduler> schedulers = new ArrayList<>();
  private final List<ModelInfo> models = new ArrayList<>();
  private final long created = 1_735_689_600L; // 2025-01-01T00:00:00Z: stable across restarts

  public GatewayCore(
      GatewayConfig config, Clock clock, BackendContext backends, GatewayMetrics metrics) {
    this.clock = clock;
    this.metrics = metrics;
    for (ModelConfig model : config.models()) {
      List<ModelScheduler.PoolHandle> pools = new ArrayList<>();
      for (PoolConfig pool : model.pools()) {
        Map<String, Object> settings = new LinkedHashMap<>(pool.settings());
        BackendSpec spec =
            new BackendSpec(pool.name(), pool.kind(), model.name(), pool.replicas(), settings);
        Backend backend;
        try {
          backend = BackendProvider.forKind(pool.kind()).create(spec, backends);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("pool " + pool.name() + ": " + e.getMessage(), e);
        }
        pools.add(new ModelScheduler.PoolHandle(pool, backend));
      }
      ModelScheduler scheduler = new ModelScheduler(model, pools, clock, metrics);
      schedulers.add(scheduler);
      byName.put(model.name(), scheduler);
      for (String alias : model.aliases()) {
        byName.put(alias, scheduler);
      }
      List<String> poolNames = new ArrayList<>();
      pools.forEach(p -> poolNames.add(p.config().name()));
      models.add(
          new ModelInfo(
              model.name(), model.aliases(), model.embedding(), model.embeddingDimensions(),
              scheduler.contextTokens(), model.defaultMaxTokens(), created, poolNames));
    }
  }

  @Override
  public List<ModelInfo> models() {
    return List.copyOf(models);
  }

  @Override
  public Optional<ModelInfo> model(String nameOrAlias) {
    ModelScheduler scheduler = byName.get(nameOrAlias);
    if (scheduler == null) {
      return Optional.empty();
    }
    String name = scheduler.config().name();
    return models.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  @Override
  public Admission submit(GatewayRequest request, GatewayListener listener) {
    ModelScheduler scheduler = byName.get(request.model());
    if (scheduler == null) {
      listener.onError(
          new GatewayError(
              GatewayError.Kind.MODEL_NOT_FOUND,
              "The model `" + request.model() + "` does not exist.", Optional.of("model"),
              Optional.empty(), false));
      return () -> {};
    }
    return scheduler.submit(request, listener);
  }

  @Override
  public List<PoolStatus> pools() {
    List<PoolStatus> out = new ArrayList<>();
    for (ModelScheduler scheduler : schedulers) {
      for (ModelScheduler.PoolHandle pool : scheduler.pools()) {
        List<ReplicaStatus> replicas = new ArrayList<>();
        for (Replica r : pool.backend().replicas()) {
          LoadSnapshot load = r.load();
          replicas.add(
              new ReplicaStatus(r.id(), load.running(), load.waiting(), load.kvUsage(), load.outstandingTokens()));
        }
        Prediction p = scheduler.typicalPrediction(pool);
        out.add(
            new PoolStatus(
                pool.config().name(), scheduler.config().name(), pool.config().kind(),
                pool.backend().description(), replicas, millis(p.ttft()), millis(p.tpot()),
                p.costUsd()));
      }
    }
    return out;
  }

  @Override
  public boolean ready() {
    return !schedulers.isEmpty();
  }

  /** Records every replica's load in the metrics now and then every {@code period}. Live use only. */
  public void sampleLoadEvery(Duration period) {
    for (ModelScheduler scheduler : schedulers) {
      for (ModelScheduler.PoolHandle pool : scheduler.pools()) {
        for (Replica r : pool.backend().replicas()) {
          LoadSnapshot load = r.load();
          metrics.replicaLoad(pool.config().name(), r.id(), load.running(), load.waiting(), load.kvUsage());
        }
      }
    }
    clock.scheduleAfter(period.toNanos(), () -> sampleLoadEvery(period));
  }

  /** Requests waiting in the gateway for {@code model}: for tests and the simulator. */
  public int queued(String model) {
    ModelScheduler scheduler = byName.get(model);
    return scheduler == null ? 0 : scheduler.queued();
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  @Override
  public void close() {
    for (ModelScheduler scheduler : schedulers) {
      for (ModelScheduler.PoolHandle pool : scheduler.pools()) {
        pool.backend().close();
      }
    }
  }
}
