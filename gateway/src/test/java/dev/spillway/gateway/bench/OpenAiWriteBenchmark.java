package dev.spillway.gateway.bench;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Usage;
import dev.spillway.gateway.api.openai.Endpoint;
import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.api.openai.OpenAiRequest;
import dev.spillway.gateway.api.openai.OpenAiResponses;
import dev.spillway.gateway.api.openai.SpillwayFacts;
import dev.spillway.gateway.api.openai.StreamChunks;
import java.nio.charset.StandardCharsets;
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

/**
 * Writing responses: a non-streaming {@code chat.completion} body of about 128 tokens, one SSE chunk
 * per token (the per-token path), and a stream's end (finish chunk, usage chunk, {@code [DONE]}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OpenAiWriteBenchmark {

  /** Typical tokens: words with their leading space, punctuation, a line break. */
  static final String[] TOKENS = {" the", " gateway", ",", " streams", " tokens", ".", "\n", " It"};

  static final String ID = "chatcmpl-5f1c2a9e8b7d4c3a";
  static final long CREATED = 1_767_225_600L;
  static final String MODEL = OpenAiParseBenchmark.MODEL.name();

  String content;
  Usage usage;
  SpillwayFacts facts;
  StreamChunks chunks;
  StreamChunks chunksWithUsage;
  int next;

  @Setup
  public void setUp() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 128; i++) {
      text.append(TOKENS[i % TOKENS.length]);
    }
    content = text.toString();
    usage = new Usage(512, 128);
    facts = new SpillwayFacts("llama-3.1-8b@p5", "llama-3.1-8b@p5/0", 0.000123, 0.00456, 12.3456);
    chunks = new StreamChunks(ID, CREATED, request(false));
    chunksWithUsage = new StreamChunks(ID, CREATED, request(true));
  }

  private static OpenAiRequest request(boolean includeUsage) {
    String body =
        "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":" + includeUsage + "}}";
    return OpenAiParser.parse(
        Endpoint.CHAT_COMPLETIONS, body.getBytes(StandardCharsets.UTF_8), "req-1",
        OpenAiParseBenchmark.NO_HEADERS, OpenAiParseBenchmark.MODELS);
  }

  @Benchmark
  public String chatCompletion() {
    return OpenAiResponses.chatCompletion(
        ID, CREATED, MODEL, content, FinishReason.LENGTH, usage, ServiceTier.DEFAULT);
  }

  /** One token's chunk; cycles through {@link #TOKENS}. */
  @Benchmark
  public String streamToken() {
    return chunks.token(TOKENS[next++ & 7]);
  }

  /** One token's chunk of a stream with {@code include_usage} ({@code "usage":null} on each). */
  @Benchmark
  public String streamTokenWithUsage() {
    return chunksWithUsage.token(TOKENS[next++ & 7]);
  }

  /** Finish chunk, usage chunk with the {@code spillway} object, and {@code [DONE]}. */
  @Benchmark
  public String streamEnd() {
    return chunksWithUsage.end(FinishReason.STOP, usage, facts);
  }
}
