package dev.spillway.gateway.bench;

import dev.spillway.gateway.api.openai.Endpoint;
import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.api.openai.OpenAiRequest;
import dev.spillway.gateway.api.openai.TokenCounting;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
 * Parsing a {@code POST /v1/chat/completions} body, token counting included: a typical request (four
 * messages, about 500 prompt tokens) and a small one (one short message); and cl100k token counting of
 * the typical request's text alone. Run with {@code -prof gc} for bytes allocated per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OpenAiParseBenchmark {

  static final ModelInfo MODEL =
      new ModelInfo("llama-3.1-8b", List.of(), false, 0, 131_072, 1024, 0, List.of("llama-3.1-8b@p5"), true);
  static final Function<String, Optional<ModelInfo>> MODELS =
      name -> name.equals(MODEL.name()) ? Optional.of(MODEL) : Optional.empty();
  static final Function<String, String> NO_HEADERS = name -> null;

  /** About 110 cl100k tokens of plain English prose. */
  static final String PARAGRAPH =
      "The gateway admits each request into its model's queue, drains the queue in strict tier order, "
          + "and binds the head of the queue to a replica only when that replica would start it in its "
          + "next step. Tenants take turns within a tier, so that one tenant's burst cannot starve the "
          + "others, and every queue is bounded: a full tier refuses with a 429 and a Retry-After header. "
          + "Tokens stream back as server-sent events, one chunk per token, and the last chunk carries "
          + "the usage and what the request cost.";

  byte[] typical;
  /** The typical request at temperature 0: the parser also writes its canonical form for the cache. */
  byte[] typicalGreedy;
  byte[] small;
  String typicalText;

  @Setup
  public void setUp() {
    typicalText = PARAGRAPH + " " + PARAGRAPH + " " + PARAGRAPH + " " + PARAGRAPH;
    String body =
        "{\"model\":\"llama-3.1-8b\",\"messages\":["
            + "{\"role\":\"system\",\"content\":\"You are a helpful assistant. Answer briefly.\"},"
            + "{\"role\":\"user\",\"content\":\"" + PARAGRAPH + " " + PARAGRAPH + "\"},"
            + "{\"role\":\"assistant\",\"content\":\"" + PARAGRAPH + "\"},"
            + "{\"role\":\"user\",\"content\":\"" + PARAGRAPH + " Summarise that in one line.\"}],"
            + "\"max_tokens\":128,\"temperature\":0.7,\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true}}";
    typical = body.getBytes(StandardCharsets.UTF_8);
    typicalGreedy =
        body.replace("\"temperature\":0.7", "\"temperature\":0").getBytes(StandardCharsets.UTF_8);
    small =
        "{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there!\"}],\"max_tokens\":16}"
            .getBytes(StandardCharsets.UTF_8);
    OpenAiParser.warmUp();
    if (parseTypicalGreedy().core().canonical().isEmpty()) {
      throw new IllegalStateException("typicalGreedy: no canonical form (expected: a cacheable request)");
    }
    int tokens = parseTypical().core().promptTokens();
    if (tokens < 400 || tokens > 600) {
      throw new IllegalStateException("typical request: " + tokens + " prompt tokens (expected: about 500)");
    }
  }

  @Benchmark
  public OpenAiRequest parseTypical() {
    return OpenAiParser.parse(Endpoint.CHAT_COMPLETIONS, typical, "req-1", NO_HEADERS, MODELS);
  }

  @Benchmark
  public OpenAiRequest parseTypicalGreedy() {
    return OpenAiParser.parse(Endpoint.CHAT_COMPLETIONS, typicalGreedy, "req-1", NO_HEADERS, MODELS);
  }

  @Benchmark
  public OpenAiRequest parseSmall() {
    return OpenAiParser.parse(Endpoint.CHAT_COMPLETIONS, small, "req-1", NO_HEADERS, MODELS);
  }

  /** cl100k counting of about the typical request's prompt text, without JSON. */
  @Benchmark
  public int countTokens() {
    return TokenCounting.count(typicalText);
  }
}
