package dev.spillway.gateway.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.GatewayCoreTest.Recorder;
import dev.spillway.gateway.metrics.PrometheusGatewayMetrics;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The core with a response cache, on a virtual clock over an emulated replica. */
class GatewayCoreCacheTest {

  private static final String MODEL = "llama-3.1-8b";
  private static final SamplingParams GREEDY = new SamplingParams(0, 1, OptionalLong.empty(), List.of());

  private static Profiles profiles;

  @BeforeAll
  static void loadProfiles() throws URISyntaxException {
    profiles =
        Profiles.withOverrides(
            Path.of(GatewayCoreCacheTest.class.getResource("/test-profiles.yaml").toURI()));
  }

  private final VirtualClock clock = new VirtualClock();
  private final PrometheusGatewayMetrics metrics = new PrometheusGatewayMetrics();
  private final GatewayCore core =
      core("models:\n  - name: " + MODEL + "\n    cache: {ttl: 10s, maxEntries: 100}\n"
          + "    pools: [{kind: emulated, accelerator: tiny.1, replicas: 1}]\n");
  private int ids;

  private GatewayCore core(String yaml) {
    GatewayConfig config = new ConfigLoader(name -> null).parse(yaml, "test");
    return new GatewayCore(
        config, clock, new BackendContext(clock, Map.of(Profiles.class, profiles)), metrics);
  }

  private GatewayRequest request(String tenant, SamplingParams sampling) {
    String id = "r" + ids++;
    return new GatewayRequest(
        id, MODEL, 100, 20, "Say hello.", 0, sampling, ServiceTier.DEFAULT, tenant, Optional.empty(),
        false, "chat:[{\"content\":\"Say hello.\",\"role\":\"user\"}]");
  }

  /** Submits and runs the clock until nothing is left to do. */
  private Recorder serve(GatewayRequest request) {
    Recorder r = new Recorder(clock);
    core.submit(request, r);
    clock.run();
    return r;
  }

  private static GatewayListener.Binding binding(Recorder r) {
    return (GatewayListener.Binding) r.events.get(0);
  }

  private static List<String> texts(Recorder r) {
    return r.events.stream()
        .filter(e -> e instanceof TokenEvent.Token)
        .map(e -> ((TokenEvent.Token) e).text())
        .toList();
  }

  private String lookups(String result) {
    String prefix = "spillway_cache_lookups_total{model=\"" + MODEL + "\",result=\"" + result + "\"} ";
    return metrics.scrape().lines().filter(l -> l.startsWith(prefix)).findFirst()
        .map(l -> l.substring(prefix.length())).orElse("none");
  }

  @Test
  void theSecondIdenticalRequestIsAnsweredFromTheCacheAtNoCost() {
    Recorder first = serve(request("t", GREEDY));
    long submitted = clock.nanoTime();
    Recorder second = serve(request("t", GREEDY));

    assertThat(binding(first).cache()).isEqualTo(CacheLookup.MISS);
    assertThat(binding(first).cached()).isFalse();
    assertThat(binding(second).cache()).isEqualTo(CacheLookup.HIT);
    assertThat(binding(second).cached()).isTrue();
    assertThat(binding(second).pool()).isEqualTo(binding(first).pool());
    assertThat(binding(second).replica()).isEqualTo(binding(first).replica());
    assertThat(binding(second).queuedNanos()).isZero();
    assertThat(texts(second)).hasSize(20).isEqualTo(texts(first));
    assertThat(second.finish().usage()).isEqualTo(first.finish().usage());
    assertThat(second.finish().reason()).isEqualTo(first.finish().reason());
    assertThat(first.finish().costUsd()).isPositive();
    assertThat(second.finish().costUsd()).isZero();
    assertThat(second.finish().priceUsd()).isZero();
    // No replica worked on it: it finished at the virtual instant it was submitted.
    assertThat(second.finish().atNanos()).isEqualTo(submitted);
    assertThat(lookups("miss")).isEqualTo("1.0");
    assertThat(lookups("hit")).isEqualTo("1.0");
    assertThat(metrics.scrape())
        .contains("spillway_requests_total{model=\"" + MODEL + "\",outcome=\"success\",pool=\"cache\"} 1.0")
        .contains("spillway_completion_tokens_total{model=\"" + MODEL + "\",pool=\"cache\"} 20.0");
  }

  @Test
  void aSeededRequestIsCachedWhateverItsTemperature() {
    SamplingParams seeded = new SamplingParams(0.7, 1, OptionalLong.of(7), List.of());
    serve(request("t", seeded));
    assertThat(binding(serve(request("t", seeded))).cached()).isTrue();
  }

  @Test
  void aRequestSampledAboveTemperatureZeroWithoutASeedIsNeverCached() {
    SamplingParams warm = new SamplingParams(0.7, 1, OptionalLong.empty(), List.of());
    Recorder first = serve(request("t", warm));
    Recorder second = serve(request("t", warm));

    assertThat(binding(first).cache()).isEqualTo(CacheLookup.NONE);
    assertThat(binding(second).cache()).isEqualTo(CacheLookup.NONE);
    assertThat(second.finish().costUsd()).isPositive();
    assertThat(lookups("miss")).isEqualTo("none");
    assertThat(lookups("hit")).isEqualTo("none");
  }

  @Test
  void tenantsNeverShareAnswers() {
    serve(request("alice", GREEDY));
    Recorder bob = serve(request("bob", GREEDY));
    Recorder alice = serve(request("alice", GREEDY));

    assertThat(binding(bob).cache()).isEqualTo(CacheLookup.MISS);
    assertThat(binding(alice).cache()).isEqualTo(CacheLookup.HIT);
  }

  @Test
  void anAnswerCancelledMidwayIsNotStored() {
    Recorder first = new Recorder(clock);
    Admission admission = core.submit(request("t", GREEDY), first);
    while (texts(first).size() < 3 && clock.runNext()) {
      // until a few tokens have streamed
    }
    admission.cancel();
    clock.run();
    assertThat(first.finish().reason().wireName()).isEqualTo("cancelled");

    assertThat(binding(serve(request("t", GREEDY))).cache()).isEqualTo(CacheLookup.MISS);
  }

  @Test
  void anAnswerIsServedForItsTtlAndThenAskedForAgain() {
    serve(request("t", GREEDY));
    clock.advance(Duration.ofSeconds(9).toNanos());
    assertThat(binding(serve(request("t", GREEDY))).cached()).isTrue();
    clock.advance(Duration.ofSeconds(2).toNanos());
    assertThat(binding(serve(request("t", GREEDY))).cache()).isEqualTo(CacheLookup.MISS);
  }

  @Test
  void aModelWithoutACacheLooksNothingUp() {
    GatewayCore plain =
        core("models:\n  - name: " + MODEL + "\n"
            + "    pools: [{kind: emulated, accelerator: tiny.1, replicas: 1}]\n");
    for (int i = 0; i < 2; i++) {
      Recorder r = new Recorder(clock);
      plain.submit(request("t", GREEDY), r);
      clock.run();
      assertThat(binding(r).cache()).isEqualTo(CacheLookup.NONE);
    }
    assertThat(lookups("miss")).isEqualTo("none");
  }
}
