package dev.spillway.gateway.bench;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.Usage;
import dev.spillway.gateway.api.bedrock.BedrockOperation;
import dev.spillway.gateway.api.bedrock.BedrockParser;
import dev.spillway.gateway.api.bedrock.BedrockRequest;
import dev.spillway.gateway.api.bedrock.BedrockStream;
import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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

/**
 * The Bedrock wire's hot paths: parsing a Converse body (the typical request of
 * {@link OpenAiParseBenchmark} as Converse messages), and one token's event-stream frame of
 * ConverseStream ({@code contentBlockDelta}) and of InvokeModelWithResponseStream (a base64 Llama
 * {@code chunk}), CRCs included; and a ConverseStream's end (three frames). Run with
 * {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BedrockWireBenchmark {

  static final Function<String, Optional<ModelInfo>> MODELS = OpenAiParseBenchmark.MODELS;

  byte[] converse;
  BedrockStream converseStream;
  BedrockStream invokeStream;
  Usage usage = new Usage(500, 128);

  @Setup
  public void setUp() {
    String p = OpenAiParseBenchmark.PARAGRAPH;
    converse =
        ("{\"system\":[{\"text\":\"You are a helpful assistant. Answer briefly.\"}],\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"text\":\"" + p + " " + p + "\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"text\":\"" + p + "\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"text\":\"" + p + " Summarise that in one line.\"}]}],"
                + "\"inferenceConfig\":{\"maxTokens\":128,\"temperature\":0.7}}")
            .getBytes(StandardCharsets.UTF_8);
    OpenAiParser.warmUp();
    converseStream = new BedrockStream(parse(BedrockOperation.CONVERSE_STREAM));
    invokeStream =
        new BedrockStream(
            BedrockParser.parse(
                BedrockOperation.INVOKE_MODEL_WITH_RESPONSE_STREAM, "llama-3.1-8b",
                "{\"prompt\":\"Hello\"}".getBytes(StandardCharsets.UTF_8), "req-1", h -> null, MODELS));
  }

  private BedrockRequest parse(BedrockOperation operation) {
    return BedrockParser.parse(operation, "llama-3.1-8b", converse, "req-1", h -> null, MODELS);
  }

  @Benchmark
  public BedrockRequest parseConverse() {
    return parse(BedrockOperation.CONVERSE);
  }

  @Benchmark
  public byte[] converseStreamToken() {
    return converseStream.token(" token");
  }

  @Benchmark
  public byte[] invokeStreamToken() {
    return invokeStream.token(" token");
  }

  @Benchmark
  public byte[] converseStreamEnd() {
    return converseStream.end(FinishReason.STOP, usage, 2400, 180);
  }
}
