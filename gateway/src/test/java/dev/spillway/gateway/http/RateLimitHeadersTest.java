package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitHeadersTest {

  @Test
  void resetsAreWrittenAsGoDurationsAsOpenAiSendsThem() {
    assertThat(RateLimitHeaders.goDuration(Duration.ZERO)).isEqualTo("0s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(644))).isEqualTo("644ms");
    assertThat(RateLimitHeaders.goDuration(Duration.ofSeconds(1))).isEqualTo("1s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMillis(59_120))).isEqualTo("59.12s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofMinutes(6))).isEqualTo("6m0s");
    assertThat(RateLimitHeaders.goDuration(Duration.ofSeconds(3723))).isEqualTo("1h2m3s");
  }
}
