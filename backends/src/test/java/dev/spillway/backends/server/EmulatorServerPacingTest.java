package dev.spillway.backends.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.spillway.backends.emulator.Deployment;
import dev.spillway.backends.emulator.LatencyModel;
import dev.spillway.backends.emulator.Profiles;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tokens reach a client at the pace the latency model predicts, measured as they arrive. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmulatorServerPacingTest {

  static final String ACCELERATOR = "trn2.48xlarge";
  static final String MODEL = "llama-3.3-70b";
  static final int OUTPUT_TOKENS = 120;

  private Vertx vertx;
  private EmulatorServer server;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        EmulatorServer.start(vertx, ServeOptions.of(ACCELERATOR, MODEL))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void streamsTokensAtTheModelsPredictedInterTokenTime() throws Exception {
    String prompt = "Tell me a long story about a river that runs through a city of bridges.";
    int promptTokens = EmulatorServerTest.promptTokens(prompt);
    Profiles profiles = Profiles.builtIn();
    Deployment deployment =
        Deployment.of(profiles, profiles.accelerator(ACCELERATOR), profiles.model(MODEL), null, 0, null);
    // The context is half-way through the output on average over the request's decode steps.
    double expectedSeconds =
        new LatencyModel(deployment).decodeSeconds(1, promptTokens + OUTPUT_TOKENS / 2.0);

    stream(prompt, 16); // warm up the server's code paths and the client's connection
    List<Long> arrivals = stream(prompt, OUTPUT_TOKENS);

    assertThat(arrivals).hasSize(OUTPUT_TOKENS);
    double meanSeconds =
        (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1e9 / (arrivals.size() - 1);
    assertThat(meanSeconds)
        .as("mean inter-token time %.2f ms, predicted %.2f ms", meanSeconds * 1e3, expectedSeconds * 1e3)
        .isCloseTo(expectedSeconds, within(expectedSeconds * 0.10));
  }

  /** Streams one request and returns the client's arrival time of each token chunk, in order. */
  private List<Long> stream(String prompt, int maxTokens) throws Exception {
    String body =
        "{\"model\":\"" + MODEL + "\",\"stream\":true,\"max_tokens\":" + maxTokens
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    HttpResponse<Stream<String>> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    List<Long> arrivals = new ArrayList<>();
    boolean done = false;
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        long now = System.nanoTime();
        if (line.startsWith("data: {") && line.contains("\"delta\":{\"content\":")) {
          arrivals.add(now);
        } else if (line.equals("data: [DONE]")) {
          done = true;
        }
      }
    }
    assertThat(done).isTrue();
    return arrivals;
  }
}
