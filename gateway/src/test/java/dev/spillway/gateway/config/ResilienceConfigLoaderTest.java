package dev.spillway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pool's {@code resilience:} block as the loader reads and validates it. */
class ResilienceConfigLoaderTest {

  private final ConfigLoader loader = new ConfigLoader(name -> null);

  private PoolConfig pool(String resilience) {
    return loader
        .parse(
            "models:\n  - name: m\n    pools:\n      - kind: emulated\n        accelerator: p5.48xlarge\n"
                + resilience,
            "test")
        .models()
        .get(0)
        .pools()
        .get(0);
  }

  @Test
  void aPoolWithoutTheBlockHasTheDefaultGuards() {
    assertThat(pool("").resilience()).isEqualTo(ResilienceConfig.DEFAULT);
    assertThat(pool("").settings()).doesNotContainKey("resilience");
  }

  @Test
  void readsEveryBreakerField() {
    PoolConfig pool =
        pool(
            "        resilience:\n"
                + "          circuitBreaker:\n"
                + "            failureRateThreshold: 25\n"
                + "            slowCallDurationThreshold: 5s\n"
                + "            slowCallRateThreshold: 80\n"
                + "            minimumNumberOfCalls: 5\n"
                + "            slidingWindowSize: 50\n"
                + "            waitDurationInOpenState: 1m\n"
                + "            permittedCallsInHalfOpenState: 4\n");
    assertThat(pool.resilience().circuitBreaker())
        .isEqualTo(
            new BreakerConfig(25, Duration.ofSeconds(5), 80, 5, 50, Duration.ofMinutes(1), 4));
    assertThat(pool.settings()).doesNotContainKey("resilience");
  }

  @Test
  void unsetFieldsTakeTheDefaults() {
    assertThat(pool("        resilience: {circuitBreaker: {failureRateThreshold: 30}}\n").resilience())
        .isEqualTo(
            new ResilienceConfig(
                new BreakerConfig(30, Duration.ofSeconds(30), 100, 10, 20, Duration.ofSeconds(30), 3),
                RetryConfig.DEFAULT));
  }

  @Test
  void readsEveryRetryField() {
    PoolConfig pool =
        pool(
            "        resilience:\n"
                + "          retry:\n"
                + "            maxAttempts: 3\n"
                + "            initialBackoff: 50ms\n"
                + "            maxBackoff: 2s\n"
                + "            budgetPercent: 10\n"
                + "            minRetriesPerSecond: 0\n"
                + "            budgetWindow: 30s\n");
    assertThat(pool.resilience().retry())
        .isEqualTo(
            new RetryConfig(
                3, Duration.ofMillis(50), Duration.ofSeconds(2), 10, 0, Duration.ofSeconds(30)));
    assertThat(pool.resilience().circuitBreaker()).isEqualTo(BreakerConfig.DEFAULT);
  }

  @Test
  void readsTheBulkhead() {
    assertThat(pool("        resilience: {bulkhead: {maxConcurrent: 8}}\n").resilience().bulkhead())
        .isEqualTo(new BulkheadConfig(8));
    assertThat(pool("").resilience().bulkhead().maxConcurrent()).isZero();
  }

  @Test
  void badValuesNameTheirField() {
    assertThatThrownBy(() -> pool("        resilience: {circuitBreaker: {failureRateThreshold: 0}}\n"))
        .hasMessage(
            "models[0].pools[0].resilience.circuitBreaker.failureRateThreshold: 0 (expected: an integer from 1 to 100)");
    assertThatThrownBy(
            () ->
                pool("        resilience: {circuitBreaker: {slidingWindowSize: 5, minimumNumberOfCalls: 6}}\n"))
        .hasMessage(
            "models[0].pools[0].resilience.circuitBreaker.minimumNumberOfCalls: 6 (expected: from 1 to slidingWindowSize 5)");
    assertThatThrownBy(() -> pool("        resilience: {retries: 3}\n"))
        .hasMessage(
            "models[0].pools[0].resilience.retries: unknown (expected one of: circuitBreaker, retry, bulkhead, timeLimiter)");
    assertThatThrownBy(() -> pool("        resilience: {retry: {maxAttempts: 0}}\n"))
        .hasMessage("models[0].pools[0].resilience.retry.maxAttempts: 0 (expected: an integer from 1 to 10)");
    assertThatThrownBy(
            () -> pool("        resilience: {retry: {initialBackoff: 2s, maxBackoff: 1s}}\n"))
        .hasMessage("models[0].pools[0].resilience.retry.maxBackoff: 1s (expected: >= initialBackoff)");
  }

  private static String twoModels(String fallbacks) {
    return "models:\n"
        + "  - name: m\n"
        + "    fallbacks: " + fallbacks + "\n"
        + "    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n"
        + "  - name: n\n"
        + "    aliases: [n-latest]\n"
        + "    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n";
  }

  @Test
  void readsAModelsFallbacksByNameOrAlias() {
    assertThat(loader.parse(twoModels("[n-latest]"), "test").models().get(0).fallbacks())
        .containsExactly("n-latest");
    assertThat(loader.parse(twoModels("[]"), "test").models().get(1).fallbacks()).isEmpty();
  }

  @Test
  void aFallbackMustNameAnotherModelOnce() {
    assertThatThrownBy(() -> loader.parse(twoModels("[x]"), "test"))
        .hasMessage("models[0].fallbacks[0]: x (expected: the name of another model: [n])");
    assertThatThrownBy(() -> loader.parse(twoModels("[m]"), "test"))
        .hasMessageStartingWith("models[0].fallbacks[0]: m (expected: the name of another model");
    assertThatThrownBy(() -> loader.parse(twoModels("[n, n-latest]"), "test"))
        .hasMessage("models[0].fallbacks[1]: n-latest (expected: each fallback once)");
  }

  @Test
  void readsTheTimeLimiterAsAMultipleOfTheObjectiveOrADuration() {
    TimeLimiterConfig multiple =
        pool("        resilience: {timeLimiter: {firstToken: 4x, total: 2m}}\n").resilience().timeLimiter();
    assertThat(multiple.firstTokenNanos(Duration.ofSeconds(3))).isEqualTo(12_000_000_000L);
    assertThat(multiple.total()).isEqualTo(Duration.ofMinutes(2));
    TimeLimiterConfig fixed =
        pool("        resilience: {timeLimiter: {firstToken: 20s}}\n").resilience().timeLimiter();
    assertThat(fixed.firstTokenNanos(Duration.ofSeconds(3))).isEqualTo(20_000_000_000L);
    assertThat(fixed.total()).isEqualTo(TimeLimiterConfig.DEFAULT.total());
    assertThat(pool("").resilience().timeLimiter().firstTokenNanos(Duration.ofSeconds(3)))
        .isEqualTo(30_000_000_000L);
  }

  @Test
  void aTimeLimiterThatIsNeitherIsNamed() {
    assertThatThrownBy(() -> pool("        resilience: {timeLimiter: {firstToken: fastx}}\n"))
        .hasMessageContaining("resilience.timeLimiter.firstToken: fastx (expected: a multiple");
    assertThatThrownBy(() -> pool("        resilience: {timeLimiter: {firstToken: soon}}\n"))
        .hasMessageContaining("resilience.timeLimiter.firstToken: soon (expected: a positive duration");
    assertThatThrownBy(() -> pool("        resilience: {timeLimiter: {ttft: 1s}}\n"))
        .hasMessageContaining("ttft");
  }
}
