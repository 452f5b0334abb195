package dev.spillway.loadtest.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent simulations on a fixed number of daemon threads. Each simulation has its own
 * virtual clock, so they may run in any order; results are collected in the order they were
 * submitted, which keeps whatever is built from them the same on any number of threads.
 */
public final class SimulationPool implements AutoCloseable {

  private final ExecutorService executor;

  /** {@code threads} threads named {@code name}. */
  public SimulationPool(String name, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    this.executor = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    });
  }

  public <T> Future<T> submit(Callable<T> simulation) {
    return executor.submit(simulation);
  }

  /**
   * The simulation's result, waiting for it; a simulation that threw rethrows its runtime exception
   * here, on the caller's thread.
   */
  public static <T> T result(Future<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("simulation failed", cause);
    }
  }

  /** Every result, in the order of {@code futures}. */
  public static <T> List<T> results(List<Future<T>> futures) throws InterruptedException {
    List<T> results = new ArrayList<>(futures.size());
    for (Future<T> future : futures) {
      results.add(result(future));
    }
    return results;
  }

  /** Stops every simulation still running or waiting. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
