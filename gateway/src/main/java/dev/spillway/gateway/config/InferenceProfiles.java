package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bedrock's cross-region inference profiles: the regions each geography prefix of a model id
 * ({@code us.}, {@code eu.}, …) routes among. A request through a profile runs only on pools whose
 * {@code region} is one of the profile's; {@code global} spans every region.
 *
 * <p>The defaults are the source regions AWS lists for its system-defined profiles of the Meta Llama
 * and Anthropic models (the lists differ a little from model to model, and grow); the configuration's
 * {@code inferenceProfiles:} replaces a geography's list or adds a geography.
 *
 * @param regions each geography's regions; a geography mapped to an empty list spans every region
 */
public record InferenceProfiles(Map<String, List<String>> regions) {

  /**
   * A region's name: {@code us-east-1}, {@code eu-central-2}, {@code us-gov-west-1}. Declared before
   * {@link #DEFAULT}, whose construction checks its regions with it.
   */
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}");

  /** The geography that spans every region. */
  public static final String GLOBAL = "global";

  public static final InferenceProfiles DEFAULT =
      new InferenceProfiles(
          Map.of(
              "us", List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
              "us-gov", List.of("us-gov-east-1", "us-gov-west-1"),
              "eu", List.of("eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
                  "eu-west-1", "eu-west-2", "eu-west-3"),
              "apac", List.of("ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
                  "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-4"),
              GLOBAL, List.of()));

  public InferenceProfiles {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    requireNonNull(regions, "regions").forEach((k, v) -> copy.put(k, List.copyOf(v)));
    for (Map.Entry<String, List<String>> e : copy.entrySet()) {
      for (String region : e.getValue()) {
        if (!regionName(region)) {
          throw new IllegalArgumentException(
              e.getKey() + ": region " + region + " (expected: a region name such as us-east-1)");
        }
      }
    }
    regions = Map.copyOf(copy);
  }

  /** Whether {@code name} is written as a region's name is. */
  public static boolean regionName(String name) {
    return REGION.matcher(name).matches();
  }

  /** The defaults with {@code overrides} laid over them, geography by geography. */
  public InferenceProfiles with(Map<String, List<String>> overrides) {
    Map<String, List<String>> merged = new LinkedHashMap<>(regions);
    merged.putAll(overrides);
    return new InferenceProfiles(merged);
  }

  /** The regions of {@code geography}'s profile, empty for every region; none for an unknown geography. */
  public Optional<List<String>> regionsOf(String geography) {
    return Optional.ofNullable(regions.get(geography));
  }
}
