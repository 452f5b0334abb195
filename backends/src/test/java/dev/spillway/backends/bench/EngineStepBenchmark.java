package dev.spillway.backends.bench;

import dev.spillway.backends.emulator.Deployment;
import dev.spillway.backends.emulator.Engine;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.VirtualClock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One engine step under a steady load, on the {@link VirtualClock}: {@code sequences} clients in a
 * closed loop (512 prompt and 128 output tokens; a client submits its next request as the last one
 * finishes), so the batch stays full and mixes decoding with the odd prefill. An operation runs clock
 * events until one more step has started: the previous step's finish (a token per sequence), the
 * next one's scheduling, and the resubmissions between them. Run with {@code -prof gc}: its
 * {@code gc.alloc.rate.norm} is the bytes one step allocates.
 *
 * <pre>
 * ./mvnw -q -B -pl backends test-compile
 * (cd backends &amp;&amp; ../mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/test-classpath.txt)
 * java -cp "backends/target/test-classes:backends/target/classes:$(cat backends/target/test-classpath.txt)" \
 *     org.openjdk.jmh.Main EngineStepBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EngineStepBenchmark {

  /** An accelerator, optionally with a serving stack other than its default: {@code p5.48xlarge+nim}. */
  @Param({"p5.48xlarge", "cs-3"})
  public String accelerator;

  /** Clients, so sequences in the batch. */
  @Param({"64"})
  public int sequences;

  private VirtualClock clock;
  private Engine engine;
  private long tokens;
  private long submitted;

  @Setup(Level.Trial)
  public void setUp() {
    Profiles profiles = Profiles.builtIn();
    String[] parts = accelerator.split("\\+", 2);
    Deployment deployment =
        Deployment.of(
            profiles, profiles.accelerator(parts[0]), profiles.model("llama-3.1-8b"),
            parts.length > 1 ? profiles.stack(parts[1]) : null, 0, null);
    clock = new VirtualClock();
    engine = new Engine("bench/0", deployment, clock, profiles.prices(), 0);
    for (int c = 0; c < sequences; c++) {
      submitNext();
    }
    // Past the first prefills and into the steady mix.
    for (int i = 0; i < 10_000; i++) {
      step();
    }
  }

  private void submitNext() {
    InferenceRequest request = InferenceRequest.of("r" + submitted++, "llama-3.1-8b", 512, 128);
    engine.submit(request, sink);
  }

  private final TokenSink sink =
      event -> {
        if (event instanceof TokenEvent.Token) {
          tokens++;
        } else {
          submitNext();
        }
      };

  /** Returns tokens generated so far, so the work cannot be optimised away. */
  @Benchmark
  public long step() {
    long target = engine.stats().steps() + 1;
    while (engine.stats().steps() < target) {
      if (!clock.runNext()) {
        throw new IllegalStateException("the engine went idle");
      }
    }
    return tokens;
  }
}
