package dev.spillway.backends.upstream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reading one streamed upstream answer: 200 OpenAI chat chunks and {@code [DONE]} (about 37 KB), in
 * the 8 KiB reads a socket delivers, through the {@link SseParser}, and then each chunk through a
 * {@link ChunkReader}. It sits here, beside the
 * package-private parser, rather than in {@code bench}.
 *
 * <pre>
 * ./mvnw -q -B -pl backends test-compile
 * (cd backends &amp;&amp; ../mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/test-classpath.txt)
 * java -cp "backends/target/test-classes:backends/target/classes:$(cat backends/target/test-classpath.txt)" \
 *     org.openjdk.jmh.Main SseParserBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SseParserBenchmark {

  private Buffer[] reads;

  @Setup
  public void setUp() {
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      stream.append("data: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"created\":1,")
          .append("\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word\"},")
          .append("\"finish_reason\":null}]}\n\n");
    }
    stream.append("data: [DONE]\n\n");
    byte[] bytes = stream.toString().getBytes(StandardCharsets.UTF_8);
    reads = new Buffer[(bytes.length + 8191) / 8192];
    for (int i = 0; i < reads.length; i++) {
      reads[i] = Buffer.buffer(Arrays.copyOfRange(bytes, i * 8192, Math.min(bytes.length, (i + 1) * 8192)));
    }
  }

  @Benchmark
  public void stream(Blackhole events) {
    SseParser parser = new SseParser();
    for (Buffer read : reads) {
      parser.feed(read, (data, length) -> events.consume(length));
    }
  }

  /** The same, with each event's chunk read for its content, as an exchange does. */
  @Benchmark
  public void streamAndChunks(Blackhole events) {
    SseParser parser = new SseParser();
    ChunkReader reader = new ChunkReader();
    for (Buffer read : reads) {
      parser.feed(
          read,
          (data, length) -> {
            if (length > 0 && data[0] == '{') {
              try {
                reader.read(data, 0, length);
              } catch (ChunkReader.Malformed e) {
                throw new IllegalStateException(e);
              }
              events.consume(reader.content);
            }
          });
    }
  }
}
