package dev.spillway.gateway.bench;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.gateway.api.openai.AnswerStream;
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
 * per token (the per-token path) of content and of a tool call's arguments, one Responses API delta
 * event, and a stream's end (finish chunk, usage chunk, {@code [DONE]}).
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
  AnswerStream responseEvents;
  TokenEvent.Token[] callTokens;
  TokenEvent.Token[] textTokens;
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
    TokenEvent.ToolCall call = new TokenEvent.ToolCall(0, "call_Q2xX7bY3kP9mN4vR8sT1wZ6a", "get_weather");
    String[] arguments = {"{\"", "city", "\":\"", "Os", "lo", "\",\"", "unit", "\":\"celsius\"}"};
    callTokens = new TokenEvent.Token[8];
    textTokens = new TokenEvent.Token[8];
    for (int i = 0; i < 8; i++) {
      callTokens[i] = new TokenEvent.Token(i, arguments[i], 0, call);
      textTokens[i] = new TokenEvent.Token(i, TOKENS[i], 0);
    }
    String responses =
        "{\"model\":\"" + MODEL + "\",\"input\":\"Hello\",\"stream\":true}";
    OpenAiRequest request =
        OpenAiParser.parse(
            Endpoint.RESPONSES, responses.getBytes(StandardCharsets.UTF_8), "req-1",
            OpenAiParseBenchmark.NO_HEADERS, OpenAiParseBenchmark.MODELS);
    responseEvents = AnswerStream.of("resp_5f1c2a9e8b7d4c3a", CREATED, request);
    responseEvents.token(textTokens[0]); // the message item is open from here on
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

  /** One token of a tool call's arguments; the call's id and name come only with its first. */
  @Benchmark
  public String streamToolCallToken() {
    return chunks.token(callTokens[next++ & 7]);
  }

  /** One {@code response.output_text.delta} event of the Responses API. */
  @Benchmark
  public String responsesTextDelta() {
    return responseEvents.token(textTokens[next++ & 7]);
  }

  /** Finish chunk, usage chunk with the {@code spillway} object, and {@code [DONE]}. */
  @Benchmark
  public String streamEnd() {
    return chunksWithUsage.end(FinishReason.STOP, usage, facts);
  }
}
