package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.InferenceProfiles;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Cross-region inference, Bedrock's way: a model id with a geography prefix ({@code us.}, {@code eu.},
 * …) runs only on the model's pools in that profile's regions, and the answer names the region that
 * served it.
 *
 * <p>A model none of whose pools names a region is served wherever it runs, so configurations
 * without regions answer profile ids as before; once a model's pools name regions, a profile reaches
 * only the pools in its regions, and one with none there is a {@code ValidationException}.
 * {@code global} spans every region.
 *
 * <p>It also finds the application inference profile a model id names, whose model serves the
 * request and whose tag the usage ledger records.
 */
public final class ProfileRouter {

  /** Bedrock's default profiles and no pool in any region. */
  public static final ProfileRouter NONE = new ProfileRouter(InferenceProfiles.DEFAULT, Map.of());

  private final InferenceProfiles profiles;
  private final Map<String, String> regionByPool;

  public ProfileRouter(InferenceProfiles profiles, Map<String, String> regionByPool) {
    this.profiles = requireNonNull(profiles, "profiles");
    this.regionByPool = Map.copyOf(regionByPool);
  }

  /** The profiles and pool regions of {@code config}. */
  public static ProfileRouter of(GatewayConfig config) {
    Map<String, String> regions = new TreeMap<>();
    for (ModelConfig model : config.models()) {
      for (PoolConfig pool : model.pools()) {
        pool.region().ifPresent(region -> regions.put(pool.name(), region));
      }
    }
    return new ProfileRouter(config.inferenceProfiles(), regions);
  }

  /**
   * The pools of {@code model} that {@code id} may run on; empty for any.
   *
   * @throws BedrockError a {@code ValidationException} when the profile spans none of its pools
   */
  public Set<String> pools(BedrockModelId id, ModelInfo model) {
    if (id.geography().isEmpty() || model.pools().stream().noneMatch(regionByPool::containsKey)) {
      return Set.of();
    }
    String geography = id.geography().get();
    List<String> regions = profiles.regionsOf(geography).orElse(List.of());
    if (regions.isEmpty()) {
      return Set.of();
    }
    Set<String> pools = new LinkedHashSet<>();
    for (String pool : model.pools()) {
      String region = regionByPool.get(pool);
      if (region != null && regions.contains(region)) {
        pools.add(pool);
      }
    }
    if (pools.isEmpty()) {
      throw BedrockError.validation(
          "modelId: " + id.sent() + " (expected: a profile with a pool of " + model.name()
              + " in its regions; " + geography + " spans " + String.join(", ", regions)
              + ", and " + model.name() + " runs in " + String.join(", ", regionsOf(model)) + ")");
    }
    return pools;
  }

  /**
   * The application inference profile {@code modelId} names: by its ARN
   * ({@code arn:aws:bedrock:REGION:ACCOUNT:application-inference-profile/ID}) or its bare id.
   */
  public Optional<InferenceProfiles.Application> application(String modelId) {
    int slash = modelId.lastIndexOf('/');
    if (slash >= 0) {
      String arn = modelId.substring(0, slash);
      if (!arn.startsWith("arn:") || !arn.endsWith(":application-inference-profile")) {
        return Optional.empty();
      }
    }
    return profiles.application(modelId.substring(slash + 1));
  }

  /** The geography prefixes of the profiles: Bedrock's and the configuration's. */
  public Set<String> geographies() {
    return profiles.regions().keySet();
  }

  /** The region {@code pool} runs in, if its configuration names one. */
  public Optional<String> region(String pool) {
    return Optional.ofNullable(regionByPool.get(pool));
  }

  private Set<String> regionsOf(ModelInfo model) {
    Set<String> regions = new LinkedHashSet<>();
    for (String pool : model.pools()) {
      String region = regionByPool.get(pool);
      if (region != null) {
        regions.add(region);
      }
    }
    return regions;
  }
}
