package dev.spillway.backends.spi;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How tokens are sampled. The emulated engines are deterministic: the same seed and prompt always give
 * the same text; {@code temperature} and {@code topP} are carried so real upstreams receive them.
 */
public record SamplingParams(double temperature, double topP, OptionalLong seed, List<String> stop) {

  public static final SamplingParams DEFAULT = new SamplingParams(1.0, 1.0, OptionalLong.empty(), List.of());

  public SamplingParams {
    Objects.requireNonNull(seed, "seed");
    stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("temperature: " + temperature + " (expected: 0 to 2)");
    }
    if (!(topP >= 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP: " + topP + " (expected: 0 to 1)");
    }
  }
}
