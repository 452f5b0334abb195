package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenSink;
import java.util.concurrent.Executor;

/**
 * A replica backed by an emulated engine. Must be used on its clock, where the engine steps;
 * each event is handed to its sink's executor (one hop per batch when the sink lives on another
 * thread), and the capacity listener hears of every event after its sink was handed it.
 */
public final class EmulatedReplica implements Replica {

  private static final Runnable NO_LISTENER = () -> {};

  private final Engine engine;
  private Runnable capacityListener = NO_LISTENER;
  /** Null without faults. */
  private FaultInjector faults;

  public EmulatedReplica(Engine engine) {
    this.engine = engine;
  }

  @Override
  public String id() {
    return engine.replicaId();
  }

  @Override
  public Capacity capacity() {
    return engine.capacity();
  }

  @Override
  public LoadSnapshot load() {
    return engine.load();
  }

  @Override
  public boolean hasCapacityFor(InferenceRequest request) {
    return engine.hasCapacityFor(request);
  }

  @Override
  public Prediction predict(InferenceRequest request) {
    return engine.predict(request);
  }

  @Override
  public Submission submit(InferenceRequest request, TokenSink sink) {
    Executor home = sink.executor();
    TokenSink delivery;
    if (home == TokenSink.INLINE) {
      delivery =
          event -> {
            sink.accept(event);
            capacityListener.run();
          };
    } else {
      delivery =
          event -> {
            home.execute(() -> sink.accept(event));
            capacityListener.run();
          };
    }
    return faults == null ? engine.submit(request, delivery) : faults.submit(engine, request, delivery);
  }

  /**
   * Replaces the faults this replica injects ({@link Faults#NONE} clears them): requests submitted
   * from now on meet them; a crash counts its delay from now, and a replica down from an earlier
   * crash is back up. Streams already running keep the faults drawn for them.
   */
  public void faults(Faults faults) {
    if (this.faults != null) {
      this.faults.retire();
    }
    this.faults = faults.none() ? null : new FaultInjector(engine.replicaId(), engine.clock(), faults);
  }

  /** The faults in force. */
  public Faults faults() {
    return faults == null ? Faults.NONE : faults.faults();
  }

  /** Whether an injected crash has it down. */
  public boolean down() {
    return faults != null && faults.down();
  }

  @Override
  public void onCapacity(Runnable listener) {
    this.capacityListener = listener == null ? NO_LISTENER : listener;
  }

  public Engine engine() {
    return engine;
  }
}
