package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.Health;
import dev.spillway.backends.spi.Replica;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An upstream replica's active health check: down when its server stops answering, up when it is back. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthProbeTest {

  @Test
  void aServerThatStopsIsDownAfterTwoFailedChecksAndUpAgainWhenItIsBack() throws Exception {
    try (UpstreamHarness harness = new UpstreamHarness()) {
      AtomicInteger checks = new AtomicInteger();
      AtomicReference<String> path = new AtomicReference<>();
      HttpServer server = start(harness, 0, checks, path);
      int port = server.actualPort();
      Backend backend =
          harness.backend(
              "p", "m",
              Map.of(
                  "url", "http://127.0.0.1:" + port + "/v1",
                  "healthCheck", Map.of("interval", "100ms", "timeout", "100ms")));
      Replica replica = backend.replicas().get(0);
      AtomicInteger changes = new AtomicInteger();
      harness.onContext(
          () -> {
            replica.onCapacity(changes::incrementAndGet);
            return null;
          });
      while (checks.get() < 2) {
        Thread.sleep(20);
      }
      assertThat(path.get()).isEqualTo("/v1/models");
      assertThat(harness.onContext(replica::health)).isEqualTo(Health.UP);

      server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      while (harness.onContext(replica::health) != Health.DOWN) {
        Thread.sleep(20);
      }
      assertThat(changes.get()).as("told of the change").isGreaterThanOrEqualTo(1);
      assertThat(harness.onContext(() -> replica.hasCapacityFor(UpstreamHarness.request("r", "m", 1, 1))))
          .as("a replica that is down has no room")
          .isFalse();

      int told = changes.get();
      HttpServer again = start(harness, port, checks, path);
      while (harness.onContext(replica::health) != Health.UP) {
        Thread.sleep(20);
      }
      assertThat(changes.get()).isGreaterThan(told);
      assertThat(harness.onContext(() -> replica.hasCapacityFor(UpstreamHarness.request("r", "m", 1, 1))))
          .isTrue();
      again.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPoolWithoutChecksIsUnchecked() throws Exception {
    try (UpstreamHarness harness = new UpstreamHarness()) {
      Backend backend =
          harness.backend("p", "m", Map.of("url", "http://127.0.0.1:9/v1", "healthCheck", false));
      assertThat(harness.onContext(backend.replicas().get(0)::health)).isEqualTo(Health.UNCHECKED);
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> HealthCheck.parse("p.healthCheck", Map.of("intervall", "1s")))
        .hasMessageContaining("p.healthCheck.intervall: unknown field");
    assertThatThrownBy(() -> HealthCheck.parse("p.healthCheck", Map.of("interval", "1s", "timeout", "2s")))
        .hasMessageContaining("p.healthCheck.timeout: 2000ms (expected: at most the interval");
    assertThatThrownBy(() -> HealthCheck.parse("p.healthCheck", Map.of("path", "models")))
        .hasMessageContaining("p.healthCheck.path: models");
    assertThatThrownBy(() -> HealthCheck.parse("p.healthCheck", List.of()))
        .hasMessageContaining("p.healthCheck: [] (expected: false, or a map");
    assertThat(HealthCheck.parse("p.healthCheck", null)).isEqualTo(HealthCheck.DEFAULT);
  }

  private static HttpServer start(
      UpstreamHarness harness, int port, AtomicInteger checks, AtomicReference<String> path)
      throws Exception {
    return harness.vertx
        .createHttpServer()
        .requestHandler(
            request -> {
              checks.incrementAndGet();
              path.set(request.path());
              request.response().end("{\"object\":\"list\",\"data\":[]}");
            })
        .listen(port, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }
}
