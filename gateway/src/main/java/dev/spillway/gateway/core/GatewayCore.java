package dev.spillway.gateway.core;

import dev.spillway.backends.emulator.EmulatedBackend;
import dev.spillway.backends.emulator.Faults;
import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.config.AutoscaleConfig;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The gateway's core: one {@link ModelScheduler} per configured model over pools made by the backend
 * kinds found with {@code ServiceLoader}. Clock-driven, with no HTTP types, so the same object serves
 * live traffic on Vert.x event loops and simulated traffic on a virtual clock.
 *
 * <p>Threading: sharded by model. Each model's scheduler, router and replicas belong to the thread of
 * that model's clock (given by its {@link BackendContext}); the core itself holds only what is fixed at
 * construction, so its methods may be called from any thread once it is built. In simulation every
 * model shares one virtual clock and everything runs on its loop, inline.
 */
public final class GatewayCore implements Gateway, AutoCloseable {

  private final GatewayMetrics metrics;
  private final Map<String, ModelScheduler> byName = new HashMap<>();
  private final List<ModelScheduler> schedulers = new ArrayList<>();
  /** Each pool's model, by pool name. */
  private final Map<String, ModelScheduler> byPool = new LinkedHashMap<>();
  private final List<ModelInfo> models = new ArrayList<>();
  private final long created = 1_735_689_600L; // 2025-01-01T00:00:00Z: stable across restarts

  /** Every model on one clock: the simulator's, or a single-threaded gateway's. */
  public GatewayCore(
      GatewayConfig config, Clock clock, BackendContext backends, GatewayMetrics metrics) {
    this(config, model -> backends, metrics);
    if (backends.clock() != clock) {
      throw new IllegalArgumentException("backends: another clock than " + clock);
    }
  }

  /**
   * Each model on the clock of the context {@code backends} gives it; pools are made on the calling
   * thread, before any request, and handed to their model's thread by the executor hops that follow.
   */
  public GatewayCore(
      GatewayConfig config, Function<ModelConfig, BackendContext> backends, GatewayMetrics metrics) {
    this.metrics = metrics;
    for (ModelConfig model : config.models()) {
      BackendContext context = backends.apply(model);
      List<PoolHandle> pools = new ArrayList<>();
      for (PoolConfig pool : model.pools()) {
        Map<String, Object> settings = new LinkedHashMap<>(pool.settings());
        BackendSpec spec =
            new BackendSpec(pool.name(), pool.kind(), model.name(), pool.maxReplicas(), settings);
        Backend backend;
        try {
          backend = BackendProvider.forKind(pool.kind()).create(spec, context);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("pool " + pool.name() + ": " + e.getMessage(), e);
        }
        PoolReplicas replicas = new PoolReplicas(backend.replicas(), pool.replicas(), context.clock());
        pools.add(new PoolHandle(pool, backend, replicas));
      }
      ModelScheduler scheduler = new ModelScheduler(model, pools, context.clock(), metrics);
      for (PoolHandle pool : pools) {
        if (pool.config().autoscale().isPresent()) {
          AutoscaleConfig autoscale = pool.config().autoscale().get();
          Duration delay =
              autoscale.provisioningDelay()
                  .or(() -> pool.backend().provisioningDelay())
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "pool " + pool.config().name() + ": autoscale.provisioningDelay: missing"
                                  + " (expected: a duration; the " + pool.config().kind()
                                  + " kind names none)"));
          Autoscaler autoscaler =
              new Autoscaler(autoscale, delay, pool.replicas(), scheduler::queued, context.clock());
          context.clock().execute(autoscaler::start);
        }
      }
      schedulers.add(scheduler);
      byName.put(model.name(), scheduler);
      for (String alias : model.aliases()) {
        byName.put(alias, scheduler);
      }
      List<String> poolNames = new ArrayList<>();
      pools.forEach(p -> poolNames.add(p.config().name()));
      poolNames.forEach(name -> byPool.put(name, scheduler));
      models.add(
          new ModelInfo(
              model.name(), model.aliases(), model.embedding(), model.embeddingDimensions(),
              scheduler.contextTokens(), model.defaultMaxTokens(), created, poolNames,
              model.cache().isPresent()));
    }
    for (ModelScheduler scheduler : schedulers) {
      scheduler.fallbacks(scheduler.config().fallbacks().stream().map(byName::get).toList());
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
      GatewayError error =
          new GatewayError(
              GatewayError.Kind.MODEL_NOT_FOUND,
              "The model `" + request.model() + "` does not exist.", Optional.of("model"),
              Optional.empty(), false);
      ModelScheduler.reject(listener, error);
      return () -> {};
    }
    return scheduler.submit(request, listener);
  }

  /** Each model's pools, read on that model's thread. */
  @Override
  public CompletionStage<List<PoolStatus>> pools() {
    return onEveryModel(GatewayCore::poolsOf)
        .thenApply(
            perModel -> {
              List<PoolStatus> out = new ArrayList<>();
              perModel.forEach(out::addAll);
              return out;
            });
  }

  /**
   * Runs {@code task} for every model on that model's thread; completes with the results in
   * configuration order, or with the first failure.
   */
  private <T> CompletionStage<List<T>> onEveryModel(Function<ModelScheduler, T> task) {
    List<CompletableFuture<T>> parts = new ArrayList<>(schedulers.size());
    for (ModelScheduler scheduler : schedulers) {
      CompletableFuture<T> part = new CompletableFuture<>();
      scheduler.clock().execute(
          () -> {
            try {
              part.complete(task.apply(scheduler));
            } catch (RuntimeException e) {
              part.completeExceptionally(e);
            }
          });
      parts.add(part);
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              List<T> out = new ArrayList<>(parts.size());
              parts.forEach(part -> out.add(part.join()));
              return out;
            });
  }

  @Override
  public CompletionStage<Faults> setFaults(String pool, Faults faults) {
    ModelScheduler scheduler = byPool.get(pool);
    if (scheduler == null) {
      return CompletableFuture.failedFuture(
          new NoSuchElementException("pool: " + pool + " (expected: one of " + byPool.keySet() + ")"));
    }
    CompletableFuture<Faults> done = new CompletableFuture<>();
    scheduler.clock().execute(
        () -> {
          for (PoolHandle handle : scheduler.pools()) {
            if (!handle.config().name().equals(pool)) {
              continue;
            }
            if (!(handle.backend() instanceof EmulatedBackend)) {
              done.completeExceptionally(
                  new UnsupportedOperationException(
                      "pool: " + pool + " is " + handle.config().kind()
                          + " (expected: an emulated pool; only emulated pools inject faults)"));
              return;
            }
            ((EmulatedBackend) handle.backend()).faults(faults);
            done.complete(faults);
            return;
          }
          done.completeExceptionally(new IllegalStateException("pool " + pool + " left its model"));
        });
    return done;
  }

  private static List<PoolStatus> poolsOf(ModelScheduler scheduler) {
    List<PoolStatus> out = new ArrayList<>();
    for (PoolHandle pool : scheduler.pools()) {
      List<ReplicaStatus> replicas = new ArrayList<>();
      PoolReplicas states = pool.replicas();
      for (Replica r : pool.backend().replicas()) {
        PoolReplicas.State state = states.state(r);
        if (state == PoolReplicas.State.OFF) {
          continue;
        }
        LoadSnapshot load = r.load();
        replicas.add(
            new ReplicaStatus(
                r.id(), load.running(), load.waiting(), load.kvUsage(), load.outstandingTokens(),
                state.name().toLowerCase(Locale.ROOT), scheduler.breakerState(r.id()),
                r.health().wireName()));
      }
      Prediction p = pool.typicalPrediction(scheduler.config().name());
      out.add(
          new PoolStatus(
              pool.config().name(), scheduler.config().name(), pool.config().kind(),
              pool.backend().description(), replicas, millis(p.ttft()), millis(p.tpot()),
              p.costUsd(), states.serving(), states.provisioning(), states.draining(),
              states.replicaNanos() / 1e9, scheduler.predictionError(pool.config().name())));
    }
    return out;
  }

  /**
   * Every pool's bill so far — replica-seconds since the core was built and each change of its replica
   * count — read on each model's thread, in configuration order. In simulation it completes at once.
   */
  public CompletionStage<List<PoolBill>> bills() {
    return onEveryModel(
            scheduler -> {
              List<PoolBill> bills = new ArrayList<>();
              for (PoolHandle pool : scheduler.pools()) {
                bills.add(pool.replicas().bill(pool.config().name(), scheduler.config().name()));
              }
              return bills;
            })
        .thenApply(
            perModel -> {
              List<PoolBill> out = new ArrayList<>();
              perModel.forEach(out::addAll);
              return out;
            });
  }

  @Override
  public boolean ready() {
    return !schedulers.isEmpty();
  }

  /**
   * Records every replica's load in the metrics now and then every {@code period}, each model on its
   * own thread. Live use only.
   */
  public void sampleLoadEvery(Duration period) {
    for (ModelScheduler scheduler : schedulers) {
      scheduler.clock().execute(() -> sampleLoadEvery(scheduler, period));
    }
  }

  private void sampleLoadEvery(ModelScheduler scheduler, Duration period) {
    for (PoolHandle pool : scheduler.pools()) {
      for (Replica r : pool.backend().replicas()) {
        LoadSnapshot load = r.load();
        metrics.replicaLoad(pool.config().name(), r.id(), load.running(), load.waiting(), load.kvUsage());
      }
    }
    scheduler.clock().scheduleAfter(period.toNanos(), () -> sampleLoadEvery(scheduler, period));
  }

  /**
   * Requests waiting in the gateway for {@code model}: for tests and the simulator, on the model's
   * thread.
   */
  public int queued(String model) {
    ModelScheduler scheduler = byName.get(model);
    return scheduler == null ? 0 : scheduler.queued();
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  /** Closes every pool on its model's thread, which cancels what is in flight; returns at once. */
  @Override
  public void close() {
    closeAsync();
  }

  /** As {@link #close}; completes when every model's pools are closed. */
  public CompletionStage<Void> closeAsync() {
    return onEveryModel(
            scheduler -> {
              for (PoolHandle pool : scheduler.pools()) {
                pool.backend().close();
              }
              return null;
            })
        .thenApply(closed -> null);
  }
}
