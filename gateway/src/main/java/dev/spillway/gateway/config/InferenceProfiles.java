package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Bedrock's inference profiles, as the gateway serves them.
 *
 * <p>Cross-region (system-defined) profiles: the regions each geography prefix of a model id
 * ({@code us.}, {@code eu.}, …) routes among. A request through one runs only on pools whose
 * {@code region} is one of the profile's; {@code global} spans every region. The defaults are the
 * source regions AWS lists for its system-defined profiles of the Meta Llama and Anthropic models (the
 * lists differ a little from model to model, and grow); {@code inferenceProfiles.regions} replaces a
 * geography's list or adds a geography.
 *
 * <p>Application profiles: a tenant's own id over a model, for cost allocation. A request through one
 * is served by its model and recorded in the usage ledger with its tag.
 *
 * @param regions each geography's regions; a geography mapped to an empty list spans every region
 * @param applications the application inference profiles, ids unique
 */
public record InferenceProfiles(Map<String, List<String>> regions, List<Application> applications) {

  /**
   * A region's name: {@code us-east-1}, {@code eu-central-2}, {@code us-gov-west-1}. Declared before
   * {@link #DEFAULT}, whose construction checks its regions with it.
   */
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}");

  private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

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
              GLOBAL, List.of()),
          List.of());

  /**
   * An application inference profile.
   *
   * @param id the profile's id: the last segment of its ARN
   *     ({@code arn:aws:bedrock:REGION:ACCOUNT:application-inference-profile/ID})
   * @param model the configured name of the model it serves
   * @param tag the cost-allocation tag its requests are recorded with
   * @param tenant the only tenant whose keys may use it; empty: any caller
   */
  public record Application(String id, String model, String tag, Optional<String> tenant) {
    public Application {
      requireNonNull(id, "id");
      requireNonNull(model, "model");
      requireNonNull(tag, "tag");
      requireNonNull(tenant, "tenant");
      if (!APPLICATION_ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "id: " + id + " (expected: 1 to 64 letters, digits or ._- starting with a letter or digit)");
      }
      if (tag.isBlank() || tag.length() > 256) {
        throw new IllegalArgumentException("tag: \"" + tag + "\" (expected: 1 to 256 characters)");
      }
    }
  }

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
    applications = List.copyOf(applications);
    Set<String> ids = new HashSet<>();
    for (Application application : applications) {
      if (!ids.add(application.id())) {
        throw new IllegalArgumentException(
            "application: id " + application.id() + " twice (expected: each profile its own id)");
      }
    }
  }

  /** Whether {@code name} is written as a region's name is. */
  public static boolean regionName(String name) {
    return REGION.matcher(name).matches();
  }

  /** These profiles with {@code overrides} laid over the regions, geography by geography. */
  public InferenceProfiles withRegions(Map<String, List<String>> overrides) {
    Map<String, List<String>> merged = new LinkedHashMap<>(regions);
    merged.putAll(overrides);
    return new InferenceProfiles(merged, applications);
  }

  /** These profiles with {@code newApplications} as the application profiles. */
  public InferenceProfiles withApplications(List<Application> newApplications) {
    return new InferenceProfiles(regions, newApplications);
  }

  /** The regions of {@code geography}'s profile, empty for every region; none for an unknown geography. */
  public Optional<List<String>> regionsOf(String geography) {
    return Optional.ofNullable(regions.get(geography));
  }

  /** The application profile with this id. */
  public Optional<Application> application(String id) {
    return applications.stream().filter(a -> a.id().equals(id)).findFirst();
  }
}
