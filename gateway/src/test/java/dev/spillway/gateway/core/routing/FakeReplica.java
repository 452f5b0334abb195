package dev.spillway.gateway.core.routing;

import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenSink;
import java.time.Duration;

/** A replica with scripted load and prediction, for routing tests. */
final class FakeReplica implements Replica {
  final String id;
  long outstanding;
  Duration ttft = Duration.ofMillis(100);
  Duration tpot = Duration.ofMillis(20);
  double cost = 0.001;

  FakeReplica(String id) {
    this.id = id;
  }

  FakeReplica outstanding(long tokens) {
    this.outstanding = tokens;
    return this;
  }

  FakeReplica predicts(long ttftMs, long tpotMs, double costUsd) {
    this.ttft = Duration.ofMillis(ttftMs);
    this.tpot = Duration.ofMillis(tpotMs);
    this.cost = costUsd;
    return this;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public Capacity capacity() {
    return new Capacity(8, 1000, 16, 2048, 100_000, 0);
  }

  @Override
  public LoadSnapshot load() {
    return new LoadSnapshot(0, 0, 0, 1000, outstanding);
  }

  @Override
  public boolean hasCapacityFor(InferenceRequest request) {
    return true;
  }

  @Override
  public Prediction predict(InferenceRequest request) {
    return new Prediction(ttft, tpot, cost);
  }

  @Override
  public Submission submit(InferenceRequest request, TokenSink sink) {
    throw new UnsupportedOperationException();
  }
}
