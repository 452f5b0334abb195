package dev.spillway.backends.bench;

import dev.spillway.backends.emulator.Deployment;
import dev.spillway.backends.emulator.Engine;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
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
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Wall time of a virtual-time run: 100,000 requests (Poisson arrivals, 512 prompt and 128 output tokens)
 * through one emulated replica. The goal is seconds, not minutes.
 *
 * <pre>
 * ./mvnw -q -B -pl backends test-compile
 * (cd backends &amp;&amp; ../mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/test-classpath.txt)
 * java -cp "backends/target/test-classes:backends/target/classes:$(cat backends/target/test-classpath.txt)" \
 *     org.openjdk.jmh.Main VirtualTimeBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class VirtualTimeBenchmark {

  /** An accelerator, optionally with a serving stack other than its default: {@code p5.48xlarge+nim}. */
  @Param({"p5.48xlarge", "p5.48xlarge+nim", "trn2.48xlarge", "inf2.48xlarge"})
  public String accelerator;

  @Param({"100000"})
  public int requests;

  /** Returns tokens generated, so the work cannot be optimised away. */
  @Benchmark
  public long oneReplica() {
    return run(accelerator, requests);
  }

  static long run(String acceleratorName, int requests) {
    Profiles profiles = Profiles.builtIn();
    String[] parts = acceleratorName.split("\\+", 2);
    Deployment deployment =
        Deployment.of(
            profiles, profiles.accelerator(parts[0]), profiles.model("llama-3.1-8b"),
            parts.length > 1 ? profiles.stack(parts[1]) : null, 0, null);
    VirtualClock clock = new VirtualClock();
    Engine engine = new Engine("bench/0", deployment, clock, profiles.prices(), 0);
    // Offer about 80% of what the replica sustains at a batch of up to 64.
    int batch = Math.min(64, engine.capacity().maxRunningSequences());
    double perRequest =
        (engine.latency().decodeSeconds(batch, 576) * 128 + engine.latency().prefillSeconds(512))
            / batch;
    double rate = 0.8 / perRequest;
    SplittableRandom random = new SplittableRandom(42);
    long[] tokens = new long[1];
    long at = 0;
    for (int i = 0; i < requests; i++) {
      at += (long) (-Math.log(1 - random.nextDouble()) / rate * 1e9);
      InferenceRequest request = InferenceRequest.of("r" + i, "llama-3.1-8b", 512, 128);
      clock.schedule(
          at,
          () ->
              engine.submit(
                  request,
                  event -> {
                    if (event instanceof TokenEvent.Token) {
                      tokens[0]++;
                    }
                  }));
    }
    clock.run();
    if (engine.stats().finished() != requests) {
      throw new IllegalStateException(engine.stats().finished() + " of " + requests + " finished");
    }
    return tokens[0];
  }
}
