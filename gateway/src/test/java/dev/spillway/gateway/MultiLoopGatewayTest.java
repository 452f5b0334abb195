package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway on two event loops, with real emulated pools: HTTP work spreads over both loops, while
 * one model's queue, on one clock whose tasks run one at a time, still serves requests from every
 * loop in tier and tenant order.
 */
class MultiLoopGatewayTest {

  private Vertx vertx;
  private GatewayApp app;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (app != null) {
      app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private GatewayApp start(String pool) throws Exception {
    GatewayConfig config =
        new ConfigLoader(name -> null)
            .parse(
                "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
                    + "models:\n"
                    + "  - name: llama-3.1-8b\n"
                    + "    pools:\n"
                    + "      - " + pool + "\n",
                "test")
            .withLedger(LedgerConfig.disabled());
    app =
        GatewayApp.start(vertx, config, Profiles.builtIn())
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    return app;
  }

  @Test
  void servesConcurrentRequestsOnMoreThanOneThread() throws Exception {
    start("{kind: emulated, accelerator: p5.48xlarge, replicas: 2}");
    List<Thread> loops = new ArrayList<>();
    for (Context loop : app.loops()) {
      CompletableFuture<Thread> thread = new CompletableFuture<>();
      loop.runOnContext(v -> thread.complete(Thread.currentThread()));
      loops.add(thread.get(5, TimeUnit.SECONDS));
    }
    assertThat(new HashSet<>(loops)).as("two distinct event-loop threads").hasSize(2);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long[] before = loops.stream().mapToLong(t -> cpu.getThreadCpuTime(t.getId())).toArray();

    // Eight clients, each with connections of its own: Vert.x deals connections to the loops in turn.
    int clients = 8;
    int perClient = 40;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<Integer>> served = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      served.add(
          pool.submit(
              () -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int ok = 0;
                for (int i = 0; i < perClient; i++) {
                  if (chat(http, "{\"max_tokens\":2}").statusCode() == 200) {
                    ok++;
                  }
                }
                return ok;
              }));
    }
    int ok = 0;
    for (Future<Integer> f : served) {
      ok += f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long[] after = loops.stream().mapToLong(t -> cpu.getThreadCpuTime(t.getId())).toArray();

    assertThat(ok).isEqualTo(clients * perClient);
    // The model's clock (its queue, router and engines) is kept on the first loop, though either loop
    // may run its tasks; the second does at least the HTTP work — parsing, tokenising, encoding — for
    // the connections it was dealt.
    long first = after[0] - before[0];
    long second = after[1] - before[1];
    assertThat(second)
        .as("CPU time of the loop that keeps no model's clock (ns)")
        .isGreaterThan(first / 5);
    assertThat(first).as("CPU time of the loop that keeps the model's clock (ns)").isPositive();
  }

  @Test
  void oneModelsQueueIsServedInTierAndTenantOrderWhateverLoopTheRequestsCameOn() throws Exception {
    // One replica that runs one request at a time: everything behind the first waits in the queue.
    start("{kind: emulated, accelerator: inf2.48xlarge, batchSize: 1, maxBatchDelay: 1ms}");
    HttpClient blockerClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> blocker =
        send(blockerClient, "{\"max_tokens\":400,\"stream\":true}", "blocker", "default");
    awaitQueueDepth(0, "the blocker to be bound");

    String[][] arrivals = {
      {"A1", "default", "tenant-a"},
      {"A2", "default", "tenant-a"},
      {"A3", "flex", "tenant-a"},
      {"B1", "default", "tenant-b"},
      {"B2", "priority", "tenant-b"},
      {"A4", "priority", "tenant-a"},
    };
    ConcurrentLinkedQueue<String> finished = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < arrivals.length; i++) {
      String[] a = arrivals[i];
      // A client of its own per request: a new connection, on the other loop than the last one.
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      CompletableFuture<HttpResponse<String>> response =
          send(http, "{\"max_tokens\":2,\"service_tier\":\"" + a[1] + "\"}", a[2], a[0]);
      responses.add(response.whenComplete((r, e) -> finished.add(a[0])));
      // Each is queued before the next is sent, so queue order is arrival order.
      awaitQueueDepth(i + 1, a[0] + " to be queued");
    }
    assertThat(blocker.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    for (CompletableFuture<HttpResponse<String>> r : responses) {
      assertThat(r.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    // Tiers strictly in order; within a tier, tenants take turns in the order they first arrived.
    assertThat(new ArrayList<>(finished)).containsExactly("B2", "A4", "A1", "B1", "A2", "A3");
  }

  private HttpResponse<String> chat(HttpClient http, String extra) throws Exception {
    return http.send(request(extra, "anonymous", "x").build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> send(
      HttpClient http, String extra, String tenant, String id) {
    return http.sendAsync(request(extra, tenant, id).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder request(String extra, String tenant, String id) {
    String fields = extra.substring(1, extra.length() - 1);
    String body =
        "{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"Count to three.\"}],"
            + fields + "}";
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json")
        .header("x-spillway-tenant", tenant)
        .header("x-request-id", id)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  /** Waits until the model's queue (every tier) holds {@code depth} requests, per /metrics. */
  private void awaitQueueDepth(int depth, String what) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    Pattern gauge = Pattern.compile("(?m)^spillway_queue_depth\\{[^}]*\\} ([0-9.]+)$");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    double seen = -1;
    while (System.nanoTime() < deadline) {
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m = gauge.matcher(metrics);
      seen = 0;
      while (m.find()) {
        seen += Double.parseDouble(m.group(1));
      }
      if (seen == depth && (depth > 0 || metrics.contains("spillway_queue_depth"))) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("waited 20 s for " + what + ": queue depth " + seen + ", expected " + depth);
  }
}
