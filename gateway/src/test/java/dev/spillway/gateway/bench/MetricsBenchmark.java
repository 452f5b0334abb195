package dev.spillway.gateway.bench;

import dev.spillway.gateway.metrics.GatewayMetrics.Outcome;
import dev.spillway.gateway.metrics.PrometheusGatewayMetrics;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The metrics a token and a request record, into {@link PrometheusGatewayMetrics}: inter-token
 * latency (every token), time to first token, token counts and the request's end (once per request).
 * Three models over four pools have recorded before, so lookups find their label sets among others.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBenchmark {

  static final String[] MODELS = {"llama-3.1-8b", "llama-3.3-70b", "qwen3-32b"};
  static final String[] POOLS = {"p5", "trn2", "inf2", "cs3"};

  PrometheusGatewayMetrics metrics;
  // Copies, as a caller's strings would be: equal to the recorded names, not the same objects.
  String model;
  String pool;
  long nanos;

  @Setup
  public void setUp() {
    metrics = new PrometheusGatewayMetrics();
    for (String m : MODELS) {
      for (String p : POOLS) {
        metrics.interTokenLatency(m, p, 20_000_000L);
        metrics.timeToFirstToken(m, p, 120_000_000L);
        metrics.tokens(m, p, 512, 128);
        metrics.requestFinished(m, p, Outcome.SUCCESS, 3_000_000_000L);
      }
    }
    model = new String(MODELS[1]);
    pool = new String(POOLS[1]);
  }

  @Benchmark
  public void interTokenLatency() {
    metrics.interTokenLatency(model, pool, 20_000_000L + (nanos++ & 0xffff));
  }

  /** The per-token path from two threads at once (the gateway will run several event loops). */
  @Benchmark
  @Threads(2)
  public void interTokenLatencyTwoThreads() {
    metrics.interTokenLatency(model, pool, 20_000_000L);
  }

  @Benchmark
  public void timeToFirstToken() {
    metrics.timeToFirstToken(model, pool, 120_000_000L + (nanos++ & 0xffff));
  }

  @Benchmark
  public void tokens() {
    metrics.tokens(model, pool, 512, 128);
  }

  @Benchmark
  public void requestFinished() {
    metrics.requestFinished(model, pool, Outcome.SUCCESS, 3_000_000_000L + (nanos++ & 0xffff));
  }
}
