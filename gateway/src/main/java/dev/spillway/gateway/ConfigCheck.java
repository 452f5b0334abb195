package dev.spillway.gateway;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.tenancy.LoopbackRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * {@code --check}: what the gateway would refuse at start, found without starting it — the file's
 * fields (through the same {@link ConfigLoader}), the loopback rule for a gateway without keys, a
 * backend kind for every pool, and the profiles file. Nothing is bound, opened or written, so it runs
 * anywhere the file and its environment variables are: in CI, in an image build, in a pod's init step.
 * Like {@code nginx -t}, it does not reach backends or Redis.
 */
public final class ConfigCheck {

  private final Function<String, String> environment;

  /** Resolves {@code ${NAME}} in the file through {@code environment}. */
  public ConfigCheck(Function<String, String> environment) {
    this.environment = requireNonNull(environment, "environment");
  }

  /**
   * Checks {@code configFile} (and {@code profilesFile}, when not null) and returns a one-line summary
   * of what it configures.
   *
   * @throws IllegalArgumentException with the message the gateway would fail with
   */
  public String check(Path configFile, Path profilesFile) {
    requireNonNull(configFile, "configFile");
    if (!Files.isReadable(configFile)) {
      throw new IllegalArgumentException("--config: " + configFile + " (expected: a readable YAML file)");
    }
    GatewayConfig config = new ConfigLoader(environment).load(configFile);
    LoopbackRule.check(config);
    int pools = 0;
    for (ModelConfig model : config.models()) {
      for (PoolConfig pool : model.pools()) {
        try {
          BackendProvider.forKind(pool.kind());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "pool " + pool.name() + ".kind: " + pool.kind() + " (expected: emulated or upstream)", e);
        }
        pools++;
      }
    }
    if (profilesFile != null) {
      if (!Files.isReadable(profilesFile)) {
        throw new IllegalArgumentException(
            "--profiles: " + profilesFile + " (expected: a readable YAML file)");
      }
      Profiles.withOverrides(profilesFile);
    }
    return String.format(
        Locale.ROOT,
        "%s: ok (%d %s, %d %s, %d %s, limits in %s, listening on %s:%d)",
        configFile, config.models().size(), plural(config.models().size(), "model"), pools,
        plural(pools, "pool"), config.tenants().size(), plural(config.tenants().size(), "tenant"),
        config.cluster().redis().isPresent() ? "redis" : "memory", config.server().host(),
        config.server().port());
  }

  private static String plural(int n, String word) {
    return n == 1 ? word : word + "s";
  }
}
