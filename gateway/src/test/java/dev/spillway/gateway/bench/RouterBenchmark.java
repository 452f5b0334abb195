package dev.spillway.gateway.bench;

import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import dev.spillway.gateway.core.routing.Candidate;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import dev.spillway.gateway.core.routing.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One routing decision per policy among 8 replicas, all offered. The replicas answer {@code load()}
 * and {@code predict()} with objects made once, so the allocation measured is the selector's own.
 * Requests cycle through 64 prompt-prefix hashes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RouterBenchmark {

  static final int REPLICAS = 8;

  @Param({
    RoutingPolicies.ROUND_ROBIN,
    RoutingPolicies.LEAST_OUTSTANDING,
    RoutingPolicies.POWER_OF_TWO,
    RoutingPolicies.SHORTEST_PREDICTED_LATENCY,
    RoutingPolicies.CHEAPEST_WITHIN_SLO,
    RoutingPolicies.PREFIX_AFFINITY
  })
  public String policy;

  Selector selector;
  List<Candidate> available;
  InferenceRequest[] requests;
  Slo slo;
  int next;

  @Setup
  public void setUp() {
    List<Candidate> candidates = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < REPLICAS; i++) {
      String pool = i < REPLICAS / 2 ? "llama-3.1-8b@p5" : "llama-3.1-8b@trn2";
      candidates.add(
          new Candidate(
              pool,
              new StaticReplica(
                  pool + "/" + i, random.nextInt(10_000), 50 + random.nextInt(400),
                  10 + random.nextInt(40), 0.0001 * (1 + random.nextInt(20)))));
    }
    available = List.copyOf(candidates);
    selector = RoutingPolicies.named(policy).selector(available);
    requests = new InferenceRequest[64];
    for (int i = 0; i < requests.length; i++) {
      requests[i] =
          new InferenceRequest(
              "r" + i, "llama-3.1-8b", 512, 128, "", random.nextLong(), SamplingParams.DEFAULT,
              ServiceTier.DEFAULT, "default", InferenceRequest.NO_DEADLINE);
    }
    slo = new Slo(Duration.ofMillis(300), Duration.ofMillis(40));
  }

  @Benchmark
  public Candidate select() {
    return selector.select(requests[next++ & 63], slo, available);
  }

  /** A replica whose load and prediction never change; both are made once. */
  static final class StaticReplica implements Replica {
    private final String id;
    private final LoadSnapshot load;
    private final Prediction prediction;
    private final Capacity capacity = new Capacity(256, 10_000, 16, 8192, 131_072, 0);

    StaticReplica(String id, long outstanding, long ttftMs, long tpotMs, double costUsd) {
      this.id = id;
      this.load = new LoadSnapshot(0, 0, 0, 10_000, outstanding);
      this.prediction = new Prediction(Duration.ofMillis(ttftMs), Duration.ofMillis(tpotMs), costUsd);
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Capacity capacity() {
      return capacity;
    }

    @Override
    public LoadSnapshot load() {
      return load;
    }

    @Override
    public boolean hasCapacityFor(InferenceRequest request) {
      return true;
    }

    @Override
    public Prediction predict(InferenceRequest request) {
      return prediction;
    }

    @Override
    public Submission submit(InferenceRequest request, TokenSink sink) {
      throw new UnsupportedOperationException("a benchmark replica runs nothing");
    }
  }
}
