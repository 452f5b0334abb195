package dev.spillway.gateway.bench;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.FlowControllerHarness;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The gateway queue: {@value #REQUESTS} requests from {@code tenants} tenants over three tiers
 * offered, then polled until empty (each request once in, once out); and the same with every other
 * request removed (a cancelled client) before the rest are polled. Scores are per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FlowControllerBenchmark {

  static final int REQUESTS = 64;
  static final ServiceTier[] TIERS = {ServiceTier.PRIORITY, ServiceTier.DEFAULT, ServiceTier.FLEX};

  @Param({"1", "8"})
  public int tenants;

  FlowControllerHarness flow;
  Object[] requests;

  @Setup
  public void setUp() {
    flow = new FlowControllerHarness(REQUESTS);
    requests = new Object[REQUESTS];
    for (int i = 0; i < REQUESTS; i++) {
      requests[i] =
          FlowControllerHarness.request(
              "r" + i, TIERS[i % TIERS.length], "tenant-" + (i % tenants), Long.MAX_VALUE);
    }
  }

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public void offerPoll(Blackhole bh) {
    for (Object r : requests) {
      bh.consume(flow.offer(r));
    }
    Object p;
    while ((p = flow.poll()) != null) {
      bh.consume(p);
    }
  }

  @Benchmark
  @OperationsPerInvocation(REQUESTS)
  public void offerRemovePoll(Blackhole bh) {
    for (Object r : requests) {
      bh.consume(flow.offer(r));
    }
    for (int i = 0; i < REQUESTS; i += 2) {
      bh.consume(flow.remove(requests[i]));
    }
    Object p;
    while ((p = flow.poll()) != null) {
      bh.consume(p);
    }
  }
}
