package dev.spillway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A model's {@code cache:} block as the loader reads and validates it. */
class CacheConfigLoaderTest {

  private final ConfigLoader loader = new ConfigLoader(name -> null);

  private ModelConfig model(String cache) {
    return loader
        .parse(
            "models:\n  - name: m\n" + cache
                + "    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n",
            "test")
        .models()
        .get(0);
  }

  @Test
  void aModelWithoutCacheHasNone() {
    assertThat(model("").cache()).isEmpty();
  }

  @Test
  void readsTtlAndMaxEntries() {
    assertThat(model("    cache: {ttl: 90s, maxEntries: 500}\n").cache())
        .contains(new CacheConfig(Duration.ofSeconds(90), 500));
  }

  @Test
  void anEmptyBlockTakesTheDefaults() {
    assertThat(model("    cache: {}\n").cache())
        .contains(new CacheConfig(Duration.ofMinutes(10), 10_000))
        .contains(CacheConfig.DEFAULT);
  }

  @Test
  void badValuesNameTheirField() {
    assertThatThrownBy(() -> model("    cache: {ttl: 0s}\n"))
        .hasMessage(
            "models[0].cache.ttl: 0s (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
    assertThatThrownBy(() -> model("    cache: {ttl: soon}\n"))
        .hasMessageStartingWith("models[0].cache.ttl: soon (expected: ");
    assertThatThrownBy(() -> model("    cache: {maxEntries: 0}\n"))
        .hasMessage("models[0].cache.maxEntries: 0 (expected: an integer from 1 to 100000000)");
    assertThatThrownBy(() -> model("    cache: {size: 10}\n"))
        .hasMessage("models[0].cache.size: unknown (expected one of: ttl, maxEntries)");
    assertThatThrownBy(() -> model("    cache: true\n"))
        .hasMessage("models[0].cache: true (expected: a mapping)");
  }

  @Test
  void anEmbeddingModelHasNoCache() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    "models:\n  - name: e\n    embeddingDimensions: 1024\n    cache: {}\n"
                        + "    pools: [{kind: emulated, accelerator: p5.48xlarge, profile: e5-mistral-7b}]\n",
                    "test"))
        .hasMessage(
            "models[0].cache: set on an embedding model (expected: only on models that generate text)");
  }
}
