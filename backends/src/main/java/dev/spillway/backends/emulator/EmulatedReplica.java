package dev.spillway.backends.emulator;

import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenSink;

/** A replica backed by an emulated engine. Must be used on its clock's thread. */
public final class EmulatedReplica implements Replica {

  private final Engine engine;

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
    return engine.submit(request, sink);
  }

  public Engine engine() {
    return engine;
  }
}
