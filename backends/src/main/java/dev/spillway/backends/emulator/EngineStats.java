package dev.spillway.backends.emulator;

/** Running totals for one engine, for tests and metrics. Read on the engine's clock. */
public final class EngineStats {
  long submitted;
  long finished;
  long steps;
  long preemptions;
  long tokensOut;
  long busyNanos;
  double costUsd;

  EngineStats() {}

  public long submitted() {
    return submitted;
  }

  public long finished() {
    return finished;
  }

  public long steps() {
    return steps;
  }

  public long preemptions() {
    return preemptions;
  }

  public long tokensOut() {
    return tokensOut;
  }

  public long busyNanos() {
    return busyNanos;
  }

  public double costUsd() {
    return costUsd;
  }
}
