package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.upstream.UpstreamHarness.Recording;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The upstream kind against Spillway's own emulator server running as a separate process, spoken to
 * over real HTTP exactly as a vLLM server would be.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamEmulatorRoundTripTest {

  private static final String MODEL = "llama-3.1-8b";
  private static final Pattern SERVING_AT = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+)\\s*$");

  private static Process emulator;
  private static final List<String> emulatorOutput = new ArrayList<>();
  private static String baseUrl;
  private static UpstreamHarness harness;

  @BeforeAll
  static void start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    emulator =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), "dev.spillway.backends.Main", "serve",
                "--accelerator", "p5.48xlarge", "--model", MODEL, "--port", "0")
            .redirectErrorStream(true)
            .start();
    CompletableFuture<String> url = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(new InputStreamReader(emulator.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  synchronized (emulatorOutput) {
                    emulatorOutput.add(line);
                  }
                  Matcher matcher = SERVING_AT.matcher(line);
                  if (line.startsWith("serving ") && matcher.find()) {
                    url.complete(matcher.group(1));
                  }
                }
                url.completeExceptionally(new IllegalStateException("emulator exited: " + emulatorOutput));
              } catch (Exception e) {
                url.completeExceptionally(e);
              }
            },
            "emulator-stdout");
    reader.setDaemon(true); // keeps draining the pipe so the emulator never blocks on it
    reader.start();
    baseUrl = url.get(20, TimeUnit.SECONDS) + "/v1";
    harness = new UpstreamHarness();
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    if (emulator != null) {
      emulator.destroy();
      if (!emulator.waitFor(5, TimeUnit.SECONDS)) {
        emulator.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void streamsTokensInOrderAndFinishesWithTheUpstreamsUsage() throws Exception {
    Replica replica = harness.backend("llama@emulator", MODEL, Map.of("url", baseUrl)).replicas().get(0);

    Recording recording = harness.submit(replica, request("rt-1", MODEL, 24));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertEmulatedCompletion(recording, finish, 24);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void mapsThePoolsModelToTheUpstreamsName() throws Exception {
    Replica replica =
        harness.backend("my-llama@emulator", "my-llama", Map.of("url", baseUrl, "model", MODEL))
            .replicas().get(0);

    Recording recording = harness.submit(replica, request("rt-2", "my-llama", 12));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertEmulatedCompletion(recording, finish, 12);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void passesTheUpstreamsModelNotFoundBackAsAnInvalidRequest() throws Exception {
    Replica replica = harness.backend("unmapped", "my-llama", Map.of("url", baseUrl)).replicas().get(0);

    Recording recording = harness.submit(replica, request("rt-3", "my-llama", 12));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST);
    assertThat(failure.beforeFirstToken()).isTrue();
    assertThat(failure.error().getMessage()).contains("my-llama").contains(MODEL);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void keepsConcurrentStreamsApart() throws Exception {
    Replica replica = harness.backend("concurrent", MODEL, Map.of("url", baseUrl)).replicas().get(0);

    List<Recording> recordings = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      recordings.add(harness.submit(replica, request("rt-c" + i, MODEL, 8 + 4 * i)));
    }
    LoadSnapshot busy = harness.load(replica);

    assertThat(busy.running()).isBetween(1, 4);
    for (int i = 0; i < recordings.size(); i++) {
      assertEmulatedCompletion(recordings.get(i), recordings.get(i).awaitFinish(), 8 + 4 * i);
    }
    for (Recording recording : recordings) {
      recording.assertWellFormed();
    }
    assertIdle(replica);
  }

  /** No stop sequence, so the emulator generates exactly {@code maxTokens}. */
  @Test
  void passesToolsThroughAndReadsTheUpstreamsToolCallsBack() throws Exception {
    Replica replica = harness.backend("tools", MODEL, Map.of("url", baseUrl)).replicas().get(0);
    String parameters =
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
    // Only what passes through tells the upstream of the tool: the spec's own tools are the gateway's.
    OutputSpec spec =
        OutputSpec.TEXT.withPassThrough(
            "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":"
                + parameters + "}}],\"tool_choice\":\"required\",\"parallel_tool_calls\":false");

    Recording recording = harness.submit(replica, request("rt-tools", MODEL, 200).withOutput(spec));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertThat(finish.reason()).isEqualTo(FinishReason.TOOL_CALLS);
    List<TokenEvent.Token> tokens = recording.tokens();
    assertThat(tokens).isNotEmpty().allSatisfy(t -> assertThat(t.call()).isNotNull());
    assertThat(tokens.get(0).call().name()).isEqualTo("weather");
    assertThat(tokens.get(0).call().id()).startsWith("call_");
    StringBuilder arguments = new StringBuilder();
    tokens.forEach(t -> arguments.append(t.text()));
    assertThat(arguments.toString()).startsWith("{\"city\":\"").endsWith("\"}");
    assertThat(finish.usage().completionTokens()).isEqualTo(tokens.size());
    recording.assertWellFormed();
    assertIdle(replica);
  }

  private static InferenceRequest request(String id, String model, int maxTokens) {
    return UpstreamHarness.request(id, model, 8, maxTokens, List.of());
  }

  private static void assertEmulatedCompletion(Recording recording, TokenEvent.Finish finish, int maxTokens) {
    List<TokenEvent.Token> tokens = recording.tokens();
    assertThat(tokens).extracting(TokenEvent.Token::index).containsExactlyElementsOf(
        IntStream.range(0, maxTokens).boxed().toList());
    assertThat(finish.reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(finish.usage().completionTokens()).isEqualTo(tokens.size()).isEqualTo(maxTokens);
    assertThat(finish.usage().promptTokens()).isPositive();
    assertThat(recording.text()).isNotBlank();
    assertThat(finish.queuedNanos()).isPositive();
  }

  private static void assertIdle(Replica replica) {
    LoadSnapshot load = harness.load(replica);
    assertThat(load.running()).isZero();
    assertThat(load.outstandingTokens()).isZero();
  }
}
