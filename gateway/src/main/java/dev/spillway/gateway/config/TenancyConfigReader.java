package dev.spillway.gateway.config;

import dev.spillway.backends.spi.ServiceTier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tenancy sections of a configuration, read and checked: {@code tenants:} (keys, limits,
 * budgets, models and tiers allowed), {@code admin:} and {@code cluster:}.
 */
final class TenancyConfigReader {

  private TenancyConfigReader() {}

  /** {@code tenants:}; model names and aliases resolve to configured names; key ids and secrets unique. */
  static List<TenantConfig> tenants(ConfigNode node, List<ModelConfig> models) {
    List<TenantConfig> out = new ArrayList<>();
    if (node.missing()) {
      return out;
    }
    if (!node.json.isArray()) {
      throw new IllegalArgumentException(node.path + ": " + node.describe() + " (expected: a list of tenants)");
    }
    Map<String, String> modelNames = new LinkedHashMap<>();
    for (ModelConfig model : models) {
      modelNames.put(model.name(), model.name());
      for (String alias : model.aliases()) {
        modelNames.put(alias, model.name());
      }
    }
    Set<String> names = new HashSet<>();
    Set<String> keyIds = new HashSet<>();
    Set<String> secrets = new HashSet<>();
    for (int i = 0; i < node.json.size(); i++) {
      ConfigNode t = node.element(i);
      t.allowOnly("name", "models", "tiers", "rpm", "tpm", "budget", "keys");
      String name = t.child("name").requiredText();
      if (!names.add(name)) {
        throw new IllegalArgumentException(
            t.child("name").path + ": " + name + " (expected: a name no other tenant has)");
      }
      Set<String> allowed = new java.util.LinkedHashSet<>();
      List<String> listed = t.child("models").textList();
      for (int m = 0; m < listed.size(); m++) {
        String resolved = modelNames.get(listed.get(m));
        if (resolved == null) {
          throw new IllegalArgumentException(
              t.child("models").path + "[" + m + "]: " + listed.get(m) + " (expected one of: "
                  + modelNames.keySet() + ")");
        }
        allowed.add(resolved);
      }
      Set<ServiceTier> tiers = java.util.EnumSet.noneOf(ServiceTier.class);
      List<String> tierNames = t.child("tiers").textList();
      for (int k = 0; k < tierNames.size(); k++) {
        tiers.add(ConfigLoader.tier(t.child("tiers").element(k), tierNames.get(k)));
      }
      java.util.OptionalLong rpm = optionalLong(t.child("rpm"));
      java.util.OptionalLong tpm = optionalLong(t.child("tpm"));
      Optional<BudgetConfig> budget = budget(t.child("budget"));
      ConfigNode keysNode = t.child("keys");
      if (keysNode.missing() || !keysNode.json.isArray() || keysNode.json.isEmpty()) {
        throw new IllegalArgumentException(
            keysNode.path + ": " + keysNode.describe() + " (expected: a list of at least one key)");
      }
      List<KeyConfig> keys = new ArrayList<>();
      for (int k = 0; k < keysNode.json.size(); k++) {
        keys.add(key(keysNode.element(k), true, keyIds, secrets));
      }
      out.add(new TenantConfig(name, allowed, tiers, rpm, tpm, budget, keys));
    }
    return out;
  }

  static AdminConfig admin(ConfigNode node) {
    if (node.missing()) {
      return AdminConfig.NONE;
    }
    node.allowOnly("keys");
    ConfigNode keysNode = node.child("keys");
    List<KeyConfig> keys = new ArrayList<>();
    if (!keysNode.missing()) {
      if (!keysNode.json.isArray()) {
        throw new IllegalArgumentException(keysNode.path + ": " + keysNode.describe() + " (expected: a list of keys)");
      }
      for (int k = 0; k < keysNode.json.size(); k++) {
        keys.add(key(keysNode.element(k), false, new HashSet<>(), new HashSet<>()));
      }
    }
    return new AdminConfig(keys);
  }

  /**
   * One key. An AWS secret must be written as an environment variable, {@code ${NAME}}: the gateway
   * needs it in clear to verify signatures, so it never sits in the file. Error messages name the
   * field, never a secret's value.
   */
  private static KeyConfig key(ConfigNode node, boolean allowAws, Set<String> ids, Set<String> secrets) {
    node.allowOnly(allowAws
        ? new String[] {"id", "sha256", "awsAccessKeyId", "awsSecretAccessKey"}
        : new String[] {"id", "sha256"});
    String id = node.child("id").requiredText();
    if (!ids.add(id)) {
      throw new IllegalArgumentException(node.child("id").path + ": " + id + " (expected: a key id used once)");
    }
    ConfigNode secretNode = node.child("awsSecretAccessKey");
    if (!secretNode.missing()
        && !(secretNode.json.isTextual() && ConfigNode.VARIABLE.matcher(secretNode.json.asText().trim()).matches())) {
      throw new IllegalArgumentException(
          secretNode.path + ": a literal value (expected: an environment variable, ${NAME}; secrets"
              + " stay out of the file)");
    }
    Optional<String> sha256 = Optional.ofNullable(node.child("sha256").text(null));
    Optional<String> accessKey = Optional.ofNullable(node.child("awsAccessKeyId").text(null));
    Optional<String> secret = Optional.ofNullable(secretNode.text(null));
    KeyConfig key;
    try {
      key = new KeyConfig(id, sha256, accessKey, secret);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(node.path + "." + e.getMessage(), e);
    }
    String identity = key.sha256().orElseGet(() -> "aws:" + key.awsAccessKeyId().get());
    if (!secrets.add(identity)) {
      throw new IllegalArgumentException(
          node.path + ": key " + id + " has the secret or access key id of another key (expected: each key its own)");
    }
    return key;
  }

  private static Optional<BudgetConfig> budget(ConfigNode node) {
    if (node.missing()) {
      return Optional.empty();
    }
    node.allowOnly("usd", "period");
    ConfigNode usdNode = node.child("usd");
    String text = usdNode.text(null);
    double usd;
    try {
      usd = text == null ? Double.NaN : Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      usd = Double.NaN;
    }
    if (!(usd > 0) || Double.isInfinite(usd)) {
      throw new IllegalArgumentException(usdNode.path + ": " + usdNode.describe() + " (expected: an amount in USD > 0)");
    }
    ConfigNode periodNode = node.child("period");
    String period = periodNode.text("month");
    try {
      return Optional.of(new BudgetConfig(usd, BudgetConfig.Period.parse(period)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(periodNode.path + ": " + period + " (expected: day, week or month)", e);
    }
  }

  static ClusterConfig cluster(ConfigNode node) {
    if (node.missing()) {
      return ClusterConfig.LOCAL;
    }
    node.allowOnly("redis", "onRedisFailure");
    Optional<String> redis = Optional.ofNullable(node.child("redis").text(null)).filter(r -> !r.isBlank());
    ConfigNode failure = node.child("onRedisFailure");
    String mode = failure.text("local");
    ClusterConfig.OnFailure onFailure;
    try {
      onFailure = ClusterConfig.OnFailure.parse(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(failure.path + ": " + mode + " (expected: local or closed)", e);
    }
    try {
      return new ClusterConfig(redis, onFailure);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static java.util.OptionalLong optionalLong(ConfigNode node) {
    if (node.missing()) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(node.integer(0, 1, Integer.MAX_VALUE));
  }
}
