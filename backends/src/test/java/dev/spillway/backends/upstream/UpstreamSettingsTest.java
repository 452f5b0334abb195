package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.time.VirtualClock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pool settings: defaults, one URL per replica, the key kept out of every printout, bad values named. */
class UpstreamSettingsTest {

  private static BackendSpec spec(int replicas, Map<String, Object> settings) {
    return new BackendSpec("llama@vllm", "upstream", "llama-3.1-8b", replicas, settings);
  }

  @Test
  void defaultsToThePoolsModelSixtyFourInFlightAndTenMinutes() {
    UpstreamSettings settings = UpstreamSettings.from(spec(2, Map.of("url", "http://10.0.0.5:8000/v1")));

    assertThat(settings.baseUrls()).containsExactly(URI.create("http://10.0.0.5:8000/v1"), URI.create("http://10.0.0.5:8000/v1"));
    assertThat(settings.upstreamModel()).isEqualTo("llama-3.1-8b");
    assertThat(settings.apiKey()).isNull();
    assertThat(settings.maxConcurrency()).isEqualTo(64);
    assertThat(settings.timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(UpstreamSettings.chatCompletionsUrl(URI.create("http://h:1/v1/")))
        .isEqualTo("http://h:1/v1/chat/completions");
  }

  @Test
  void givesEachReplicaItsOwnUrlAndNeverPrintsTheKey() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Backend backend =
          BackendProvider.forKind("upstream")
              .create(
                  spec(2, Map.of(
                      "urls", List.of("http://a:8000/v1", "http://b:8000/v1"), "apiKey", "sk-secret",
                      "model", "meta-llama/Llama-3.1-8B-Instruct", "maxConcurrency", "8")),
                  new BackendContext(new VirtualClock(), Map.of(Vertx.class, vertx)));

      assertThat(backend.replicas()).extracting(Replica::id).containsExactly("llama@vllm/0", "llama@vllm/1");
      assertThat(backend.replicas()).extracting(r -> ((UpstreamReplica) r).baseUrl().getHost())
          .containsExactly("a", "b");
      assertThat(backend.replicas().get(0).capacity().maxRunningSequences()).isEqualTo(8);
      assertThat(backend.description())
          .isEqualTo("upstream http://a:8000/v1, http://b:8000/v1 as meta-llama/Llama-3.1-8B-Instruct");
      assertThat(UpstreamSettings.from(spec(1, Map.of("url", "http://a/v1", "apiKey", "sk-secret"))).toString())
          .doesNotContain("sk-secret");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void namesTheSettingAndWhatItExpects() {
    assertThatThrownBy(() -> UpstreamSettings.from(spec(1, Map.of())))
        .hasMessage("llama@vllm.url: missing (expected: a value)");
    assertThatThrownBy(() -> UpstreamSettings.from(spec(1, Map.of("url", "ftp://x/v1"))))
        .hasMessageStartingWith("llama@vllm.url: ftp://x/v1 (expected: an http(s) base URL");
    assertThatThrownBy(() -> UpstreamSettings.from(spec(1, Map.of("url", "http://user:pw@x/v1"))))
        .hasMessageContaining("apiKey")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> UpstreamSettings.from(spec(3, Map.of("urls", List.of("http://a/v1", "http://b/v1")))))
        .hasMessage("llama@vllm.urls: 2 URLs (expected: one per replica, 3)");
    assertThatThrownBy(
            () -> UpstreamSettings.from(spec(1, Map.of("url", "http://a/v1", "urls", List.of("http://a/v1")))))
        .hasMessage("llama@vllm.url: set together with urls (expected: one of url or urls)");
    assertThatThrownBy(() -> UpstreamSettings.from(spec(1, Map.of("url", "http://a/v1", "maxConcurrency", 0))))
        .hasMessage("llama@vllm.maxConcurrency: 0 (expected: > 0)");
    assertThatThrownBy(() -> UpstreamSettings.from(spec(1, Map.of("url", "http://a/v1", "timeoutSeconds", -1))))
        .hasMessage("llama@vllm.timeoutSeconds: -1 (expected: > 0)");
  }
}
