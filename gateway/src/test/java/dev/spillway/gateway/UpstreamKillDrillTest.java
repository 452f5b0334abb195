package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The failure drill, automated: two {@code serve} processes behind two {@code upstream} pools of one
 * model, under steady non-streaming load; one is killed with SIGKILL, then started again on its port.
 * No client sees an error, the dead pool's breaker opens within a second, and traffic comes back to
 * it within 30 seconds of its restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UpstreamKillDrillTest {

  private static final String MODEL = "llama-3.1-8b";
  private static final int RATE = 60;
  private static final Pattern BLUE_BREAKER =
      Pattern.compile("\"pool\":\"blue\".*?\"circuit_breaker\":\"([a-z_]+)\"");

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One client request: when it was sent (ns since the drill began), its status and where it ran. */
  record Outcome(long sentNanos, int status, String pool, String body) {}

  @Test
  void aKilledUpstreamCostsNoClientAnErrorAndComesBackAfterItsRestart() throws Exception {
    String[] emulator = {"--accelerator", "p5.48xlarge", "--model", MODEL};
    ServeProcess blue = ServeProcess.start(0, emulator);
    ServeProcess green = ServeProcess.start(0, emulator);
    ServeProcess blueAgain = null;
    Vertx vertx = Vertx.vertx();
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    try {
      String yaml =
          "models:\n"
              + "  - name: " + MODEL + "\n"
              + "    routing: round-robin\n"
              + "    pools:\n"
              + pool("blue", blue.port)
              + pool("green", green.port);
      GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "drill");
      config =
          config.withServer(config.server().withAddress("127.0.0.1", 0)).withLedger(LedgerConfig.disabled());
      GatewayApp app =
          GatewayApp.start(vertx, config, Profiles.builtIn())
              .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      String base = "http://127.0.0.1:" + app.port();

      long start = System.nanoTime();
      ConcurrentLinkedQueue<CompletableFuture<Outcome>> sent = new ConcurrentLinkedQueue<>();
      load.scheduleAtFixedRate(
          () -> sent.add(send(base, System.nanoTime() - start)), 0, 1_000_000 / RATE, TimeUnit.MICROSECONDS);

      Thread.sleep(5_000); // steady state on both pools
      blue.kill();
      long killed = System.nanoTime();
      while (!breaker(base).equals("open")) {
        assertThat(System.nanoTime() - killed).as("blue's breaker open").isLessThan(10_000_000_000L);
        Thread.sleep(20);
      }
      long openAfter = System.nanoTime() - killed;

      Thread.sleep(2_000); // blue stays dead a while
      blueAgain = ServeProcess.start(blue.port, emulator);
      long restarted = System.nanoTime() - start;
      long backAfter = -1;
      while (backAfter < 0) {
        assertThat(System.nanoTime() - start - restarted).as("traffic back on blue").isLessThan(40_000_000_000L);
        for (CompletableFuture<Outcome> f : sent) {
          Outcome o = f.getNow(null);
          if (o != null && o.sentNanos() > restarted && "blue".equals(o.pool()) && o.status() == 200) {
            backAfter = o.sentNanos() - restarted;
            break;
          }
        }
        Thread.sleep(50);
      }
      Thread.sleep(1_000);
      load.shutdown();
      load.awaitTermination(5, TimeUnit.SECONDS);

      List<Outcome> outcomes =
          sent.stream().map(f -> f.orTimeout(30, TimeUnit.SECONDS).join()).toList();
      Map<Integer, Long> byStatus = new TreeMap<>();
      outcomes.forEach(o -> byStatus.merge(o.status(), 1L, Long::sum));
      System.out.printf(
          "drill: %d requests %s; blue's breaker open %.0f ms after the kill; blue answered again %.0f ms after its restart%n",
          outcomes.size(), byStatus, openAfter / 1e6, backAfter / 1e6);
      List<Outcome> failed = outcomes.stream().filter(o -> o.status() != 200).limit(3).toList();
      assertThat(failed).as("requests that failed, of %s by status", byStatus).isEmpty();
      assertThat(outcomes).as("requests sent").hasSizeGreaterThan(RATE * 8);
      assertThat(openAfter).as("nanoseconds from the kill to blue's breaker open").isLessThanOrEqualTo(1_000_000_000L);
      assertThat(backAfter).as("nanoseconds from the restart to blue's first answer").isLessThanOrEqualTo(30_000_000_000L);
      app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      load.shutdownNow();
      blue.close();
      green.close();
      if (blueAgain != null) {
        blueAgain.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static String pool(String name, int port) {
    return "      - name: " + name + "\n"
        + "        kind: upstream\n"
        + "        url: http://127.0.0.1:" + port + "/v1\n"
        + "        healthCheck: {interval: 500ms, timeout: 400ms}\n";
  }

  private CompletableFuture<Outcome> send(String base, long sentNanos) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"" + MODEL + "\",\"max_tokens\":8,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"drill\"}]}"))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r -> new Outcome(
                sentNanos, r.statusCode(), r.headers().firstValue("x-spillway-pool").orElse(""),
                r.statusCode() == 200 ? "" : r.body()))
        .exceptionally(e -> new Outcome(sentNanos, -1, "", String.valueOf(e)));
  }

  /** Blue's breaker state, from {@code /admin/pools}. */
  private String breaker(String base) throws Exception {
    String body =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/admin/pools")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher m = BLUE_BREAKER.matcher(body);
    return m.find() ? m.group(1) : "unknown";
  }
}
