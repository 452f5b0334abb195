package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway replicas, each a JVM of its own, share one tenant's limits through a real
 * {@code redis-server}: the limit holds across them exactly, not once per replica.
 */
class RedisReplicasTest {

  @TempDir Path dir;

  @Test
  void twoReplicasAdmitExactlyTheRpmBetweenThem() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      Path config = dir.resolve("gateway.yaml");
      Files.writeString(
          config,
          KeyedGateway.withHashes(
              "server: {host: 127.0.0.1, port: 0, eventLoops: 2}\n"
                  + "models:\n"
                  + "  - name: llama-3.1-8b\n"
                  + "    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8, replicas: 2}]\n"
                  + "tenants: [{name: acme, rpm: 60, keys: [{id: acme-ci, sha256: sha(sk-acme)}]}]\n"
                  + "cluster: {redis: " + redis.url() + "}\n"
                  + "ledger: {enabled: false}\n"));
      try (GatewayProcess a = GatewayProcess.start(config);
          GatewayProcess b = GatewayProcess.start(config)) {
        HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        List<Integer> ports = List.of(a.port, b.port);
        Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        Map<Integer, AtomicInteger> okByReplica = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        long start = System.nanoTime();
        try {
          List<Future<?>> sent = new ArrayList<>();
          for (int i = 0; i < 150; i++) {
            int port = ports.get(i % 2);
            sent.add(
                clients.submit(
                    () -> {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                                  .timeout(Duration.ofSeconds(30))
                                  .header("content-type", "application/json")
                                  .header("authorization", "Bearer sk-acme")
                                  .POST(HttpRequest.BodyPublishers.ofString(KeyedGateway.chatBody("llama-3.1-8b", 1, "")))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      byStatus.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                      if (r.statusCode() == 200) {
                        okByReplica.computeIfAbsent(port, p -> new AtomicInteger()).incrementAndGet();
                      }
                      return null;
                    }));
          }
          for (Future<?> f : sent) {
            f.get();
          }
        } finally {
          clients.shutdownNow();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        // The 150 requests went out within one minute (they take seconds), so the sliding minute
        // holds all of them: exactly rpm answers of 200 between both replicas, the rest 429.
        assertThat(took).as("the requests were sent within the window").isLessThan(Duration.ofSeconds(55));
        assertThat(byStatus.get(200)).as("200s; all statuses: %s", byStatus).hasValue(60);
        assertThat(byStatus.get(429)).as("429s; all statuses: %s", byStatus).hasValue(90);
        // Both replicas served some: the limit was shared, not enforced by one of them alone.
        assertThat(okByReplica.keySet()).containsExactlyInAnyOrderElementsOf(ports);
      }
    }
  }
}
