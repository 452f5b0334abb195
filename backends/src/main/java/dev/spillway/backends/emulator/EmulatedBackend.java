package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A pool of identical emulated replicas. */
public final class EmulatedBackend implements Backend {

  private final String pool;
  private final String model;
  private final Deployment deployment;
  private final List<Replica> replicas;

  public EmulatedBackend(
      String pool, String model, Deployment deployment, int replicas, int staticBatchSize,
      Clock clock, PriceList prices) {
    this(pool, model, deployment, replicas, staticBatchSize, clock, prices,
        OutputPlan.DEFAULT_TOOL_CALL_RATE, TokenText.WRITTEN);
  }

  /**
   * @param toolCallRate under {@code tool_choice: auto}, how often an answer calls a tool
   * @param text whether free text is written or its tokens sent empty
   */
  public EmulatedBackend(
      String pool, String model, Deployment deployment, int replicas, int staticBatchSize,
      Clock clock, PriceList prices, double toolCallRate, TokenText text) {
    this.pool = pool;
    this.model = model;
    this.deployment = deployment;
    List<Replica> list = new ArrayList<>(replicas);
    for (int i = 0; i < replicas; i++) {
      list.add(
          new EmulatedReplica(
              new Engine(pool + "/" + i, deployment, clock, prices, staticBatchSize, toolCallRate, text)));
    }
    this.replicas = List.copyOf(list);
  }

  @Override
  public String pool() {
    return pool;
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public String description() {
    return deployment.toString();
  }

  @Override
  public List<Replica> replicas() {
    return replicas;
  }

  /** The accelerator profile's provisioning delay: instance boot plus model load. */
  @Override
  public Optional<Duration> provisioningDelay() {
    return Optional.of(deployment.accelerator().provisioningDelay());
  }

  /** Applies {@code faults} to every replica; on the replicas' clock. */
  public void faults(Faults faults) {
    for (Replica replica : replicas) {
      ((EmulatedReplica) replica).faults(faults);
    }
  }

  public Deployment deployment() {
    return deployment;
  }
}
