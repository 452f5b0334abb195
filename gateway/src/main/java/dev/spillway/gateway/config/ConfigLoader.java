package dev.spillway.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Maps one YAML file to {@link GatewayConfig}, validating every field once with a message that names
 * it: {@code models[1].pools[0].replicas: 0 (expected: >= 1)}.
 *
 * <p>String values may refer to environment variables, {@code ${NAME}} or {@code ${NAME:-default}},
 * so secrets stay out of the file. A {@code defaults} section sets what every model inherits.
 */
public final class ConfigLoader {

  /** The embedded default: in-process emulated pools, no external services. */
  public static final String DEFAULT_RESOURCE = "/dev/spillway/gateway/default-config.yaml";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Function<String, String> environment;

  public ConfigLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  public static ConfigLoader withSystemEnvironment() {
    return new ConfigLoader(System::getenv);
  }

  public GatewayConfig loadDefault() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
      }
      return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "default config");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public GatewayConfig load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("config: cannot read " + file + " (" + e.getMessage() + ")", e);
    }
  }

  /** Parses YAML text; {@code source} names it in messages. */
  public GatewayConfig parse(String yaml, String source) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": not valid YAML (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": (expected: a mapping with server and models)");
    }
    ConfigNode top = new ConfigNode("", root, environment);
    top.allowOnly(
        "server", "defaults", "models", "tenants", "admin", "cluster", "ledger", "inferenceProfiles");
    ServerConfig server = server(top.child("server"));
    ConfigNode defaults = top.child("defaults");
    ConfigNode models = top.child("models");
    if (models.missing() || !models.json.isArray() || models.json.isEmpty()) {
      throw new IllegalArgumentException("models: " + models.describe() + " (expected: a list of at least one model)");
    }
    List<ModelConfig> list = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < models.json.size(); i++) {
      ModelConfig model = model(models.element(i), defaults);
      for (String name : concat(model.name(), model.aliases())) {
        if (!names.add(name)) {
          throw new IllegalArgumentException(
              "models[" + i + "].name: " + name + " (expected: a name or alias not used by another model)");
        }
      }
      list.add(model);
    }
    for (int i = 0; i < list.size(); i++) {
      ModelConfig model = list.get(i);
      List<String> fallbacks = model.fallbacks();
      for (int k = 0; k < fallbacks.size(); k++) {
        String fallback = fallbacks.get(k);
        String field = "models[" + i + "].fallbacks[" + k + "]: " + fallback;
        ModelConfig target =
            list.stream().filter(m -> concat(m.name(), m.aliases()).contains(fallback)).findFirst().orElse(null);
        if (target == null || target == model) {
          List<String> others = list.stream().filter(m -> m != model).map(ModelConfig::name).toList();
          throw new IllegalArgumentException(
              field + " (expected: the name of another model"
                  + (others.isEmpty() ? "; this file has no other)" : ": " + others + ")"));
        }
        if (target.embedding() != model.embedding()) {
          throw new IllegalArgumentException(
              field + " (expected: a model of the same kind: " + (model.embedding() ? "an embedding" : "a generative")
                  + " model)");
        }
        if (fallbacks.subList(0, k).stream().anyMatch(earlier -> concat(target.name(), target.aliases()).contains(earlier))) {
          throw new IllegalArgumentException(field + " (expected: each fallback once)");
        }
      }
    }
    Set<String> pools = new HashSet<>();
    for (ModelConfig model : list) {
      for (PoolConfig pool : model.pools()) {
        if (!pools.add(pool.name())) {
          throw new IllegalArgumentException(
              "pool " + pool.name() + ": duplicate (expected: pool names unique across models)");
        }
      }
    }
    List<TenantConfig> tenants = TenancyConfigReader.tenants(top.child("tenants"), list);
    return new GatewayConfig(
        server, list, tenants, TenancyConfigReader.admin(top.child("admin")),
        TenancyConfigReader.cluster(top.child("cluster")), ledger(top.child("ledger")),
        inferenceProfiles(top.child("inferenceProfiles"), list, tenants));
  }

  /**
   * {@code inferenceProfiles:}: {@code regions}, a mapping of geography prefix to regions laid over
   * Bedrock's defaults ({@link InferenceProfiles#DEFAULT}; an empty list spans every region), and
   * {@code application}, the application inference profiles ({@code id}, {@code model}: a configured
   * name or alias, {@code tag}: the id when absent, {@code tenant}: optional).
   */
  private InferenceProfiles inferenceProfiles(
      ConfigNode node, List<ModelConfig> models, List<TenantConfig> tenants) {
    if (node.missing()) {
      return InferenceProfiles.DEFAULT;
    }
    node.allowOnly("regions", "application");
    ConfigNode regionsNode = node.child("regions");
    Map<String, List<String>> overrides = new LinkedHashMap<>();
    if (!regionsNode.missing()) {
      if (!regionsNode.json.isObject()) {
        throw new IllegalArgumentException(
            regionsNode.path + ": " + regionsNode.describe() + " (expected: a mapping of geography to a list of regions)");
      }
      for (Map.Entry<String, ConfigNode> e : regionsNode.fields().entrySet()) {
        if (!e.getKey().matches("[a-z][a-z-]{0,15}")) {
          throw new IllegalArgumentException(
              e.getValue().path + ": " + e.getKey() + " (expected: a geography prefix such as us, eu or apac)");
        }
        overrides.put(e.getKey(), e.getValue().textList());
      }
    }
    Map<String, String> modelNames = new LinkedHashMap<>();
    for (ModelConfig model : models) {
      modelNames.put(model.name(), model.name());
      model.aliases().forEach(alias -> modelNames.put(alias, model.name()));
    }
    Set<String> tenantNames = new HashSet<>();
    tenants.forEach(t -> tenantNames.add(t.name()));
    List<InferenceProfiles.Application> applications = new ArrayList<>();
    ConfigNode list = node.child("application");
    if (!list.missing()) {
      if (!list.json.isArray()) {
        throw new IllegalArgumentException(
            list.path + ": " + list.describe() + " (expected: a list of application inference profiles)");
      }
      for (int i = 0; i < list.json.size(); i++) {
        ConfigNode a = list.element(i);
        a.allowOnly("id", "model", "tag", "tenant");
        String id = a.child("id").requiredText();
        String model = a.child("model").requiredText();
        if (!modelNames.containsKey(model)) {
          throw new IllegalArgumentException(
              a.child("model").path + ": " + model + " (expected: a configured model name or alias)");
        }
        Optional<String> tenant = Optional.ofNullable(a.child("tenant").text(null));
        if (tenant.isPresent() && !tenantNames.contains(tenant.get())) {
          throw new IllegalArgumentException(
              a.child("tenant").path + ": " + tenant.get() + " (expected: a configured tenant)");
        }
        try {
          applications.add(
              new InferenceProfiles.Application(id, modelNames.get(model), a.child("tag").text(id), tenant));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(a.path + "." + e.getMessage(), e);
        }
      }
    }
    try {
      return InferenceProfiles.DEFAULT.withRegions(overrides).withApplications(applications);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(node.path + "." + e.getMessage(), e);
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }

  private ServerConfig server(ConfigNode node) {
    if (node.missing()) {
      return ServerConfig.DEFAULT;
    }
    node.allowOnly("host", "port", "maxBodyBytes", "eventLoops", "drainTimeout");
    ServerConfig d = ServerConfig.DEFAULT;
    String host = node.child("host").text(d.host());
    int port = node.child("port").integer(d.port(), 0, 65535);
    long body = node.child("maxBodyBytes").integer((int) d.maxBodyBytes(), 1024, Integer.MAX_VALUE);
    int loops = node.child("eventLoops").integer(d.eventLoops(), 1, ServerConfig.MAX_EVENT_LOOPS);
    Duration drain = node.child("drainTimeout").duration(d.drainTimeout());
    return new ServerConfig(host, port, body, loops, drain);
  }

  /** {@code ledger: {enabled, path, maxFileBytes, queueCapacity}}; on by default. */
  private LedgerConfig ledger(ConfigNode node) {
    if (node.missing()) {
      return LedgerConfig.DEFAULT;
    }
    node.allowOnly("enabled", "path", "maxFileBytes", "queueCapacity");
    ConfigNode enabledNode = node.child("enabled");
    boolean enabled = true;
    if (!enabledNode.missing()) {
      String text = enabledNode.text(null).trim();
      if (!text.equals("true") && !text.equals("false")) {
        throw new IllegalArgumentException(enabledNode.path + ": " + text + " (expected: true or false)");
      }
      enabled = Boolean.parseBoolean(text);
    }
    ConfigNode pathNode = node.child("path");
    Path path = LedgerConfig.DEFAULT_PATH;
    if (!pathNode.missing()) {
      String text = pathNode.requiredText();
      try {
        path = Path.of(text);
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(pathNode.path + ": " + text + " (expected: a directory path)", e);
      }
    }
    long maxFileBytes =
        node.child("maxFileBytes")
            .integer((int) LedgerConfig.DEFAULT_MAX_FILE_BYTES, (int) LedgerConfig.MIN_FILE_BYTES,
                Integer.MAX_VALUE);
    int queueCapacity =
        node.child("queueCapacity")
            .integer(LedgerConfig.DEFAULT_QUEUE_CAPACITY, 1, LedgerConfig.MAX_QUEUE_CAPACITY);
    return new LedgerConfig(enabled, path, maxFileBytes, queueCapacity);
  }

  private ModelConfig model(ConfigNode node, ConfigNode defaults) {
    node.allowOnly(
        "name", "aliases", "routing", "queueCapacity", "maxQueueWait", "slo", "defaultMaxTokens",
        "embeddingDimensions", "pools", "cache", "fallbacks");
    String name = node.child("name").requiredText();
    List<String> aliases = node.child("aliases").textList();
    String routing = inherit(node, defaults, "routing").text("least-outstanding");
    if (!RoutingPolicies.names().contains(routing)) {
      throw new IllegalArgumentException(
          inherit(node, defaults, "routing").path + ": " + routing + " (expected one of: "
              + RoutingPolicies.names() + ")");
    }
    Map<ServiceTier, Integer> capacity = new EnumMap<>(ServiceTier.class);
    for (ServiceTier tier : ServiceTier.values()) {
      capacity.put(tier, 1024);
    }
    ConfigNode capacityNode = inherit(node, defaults, "queueCapacity");
    for (Map.Entry<String, ConfigNode> e : capacityNode.fields().entrySet()) {
      capacity.put(tier(e.getValue(), e.getKey()), e.getValue().integer(0, 0, 10_000_000));
    }
    Duration maxWait = inherit(node, defaults, "maxQueueWait").duration(Duration.ofSeconds(60));
    Map<ServiceTier, Slo> slos = new EnumMap<>(ServiceTier.class);
    slos.put(ServiceTier.PRIORITY, new Slo(Duration.ofSeconds(1), Duration.ofMillis(60)));
    slos.put(ServiceTier.DEFAULT, new Slo(Duration.ofSeconds(3), Duration.ofMillis(120)));
    slos.put(ServiceTier.FLEX, new Slo(Duration.ofSeconds(60), Duration.ofSeconds(1)));
    slos.put(ServiceTier.BATCH, new Slo(Duration.ofHours(1), Duration.ofSeconds(10)));
    for (Map.Entry<String, ConfigNode> e : inherit(node, defaults, "slo").fields().entrySet()) {
      ConfigNode slo = e.getValue();
      slo.allowOnly("ttft", "tpot");
      ServiceTier tier = tier(slo, e.getKey());
      Slo base = slos.get(tier);
      slos.put(tier, new Slo(slo.child("ttft").duration(base.ttft()), slo.child("tpot").duration(base.tpot())));
    }
    int maxTokens = inherit(node, defaults, "defaultMaxTokens").integer(512, 1, 1_000_000);
    int dimensions = node.child("embeddingDimensions").integer(0, 0, 65_536);
    ConfigNode poolsNode = node.child("pools");
    if (poolsNode.missing() || !poolsNode.json.isArray() || poolsNode.json.isEmpty()) {
      throw new IllegalArgumentException(
          poolsNode.path + ": " + poolsNode.describe() + " (expected: a list of at least one pool)");
    }
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < poolsNode.json.size(); i++) {
      pools.add(pool(poolsNode.element(i), name));
    }
    return new ModelConfig(
        name, aliases, routing, capacity, maxWait, slos, maxTokens, dimensions, pools,
        cache(node.child("cache"), dimensions), node.child("fallbacks").textList());
  }

  private PoolConfig pool(ConfigNode node, String model) {
    String kind = node.child("kind").requiredText();
    Optional<AutoscaleConfig> autoscale = autoscale(node.child("autoscale"), kind);
    int replicas =
        autoscale.isPresent()
            ? node.child("replicas").integer(autoscale.get().min(), 0, 10_000)
            : node.child("replicas").integer(1, 1, 10_000);
    if (autoscale.isPresent()
        && (replicas < autoscale.get().min() || replicas > autoscale.get().max())) {
      throw new IllegalArgumentException(
          node.child("replicas").path + ": " + replicas + " (expected: from autoscale.min "
              + autoscale.get().min() + " to autoscale.max " + autoscale.get().max() + ")");
    }
    Duration delay = node.child("maxBatchDelay").duration(Duration.ofMillis(20));
    Map<String, Object> settings = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      switch (e.getKey()) {
        case "name":
        case "kind":
        case "replicas":
        case "maxBatchDelay":
        case "autoscale":
        case "resilience":
        case "region":
          break;
        default:
          settings.put(e.getKey(), e.getValue().value());
      }
    }
    if (settings.containsKey("faults") && !kind.equals("emulated")) {
      throw new IllegalArgumentException(
          node.child("faults").path + ": set on a pool of kind " + kind + " (expected: only on emulated pools)");
    }
    String defaultName = model + "@" + shortName(settings, kind);
    String name = node.child("name").text(defaultName);
    Optional<String> region = Optional.ofNullable(node.child("region").text(null));
    if (region.isPresent() && !InferenceProfiles.regionName(region.get())) {
      throw new IllegalArgumentException(
          node.child("region").path + ": " + region.get() + " (expected: a region name such as us-east-1)");
    }
    return new PoolConfig(
        name, kind, replicas, delay, settings, autoscale, ResilienceConfigReader.resilience(node.child("resilience")), region);
  }

  /** A pool's {@code autoscale} block; only emulated pools, whose replicas the gateway makes, scale. */
  private Optional<AutoscaleConfig> autoscale(ConfigNode node, String kind) {
    if (node.missing()) {
      return Optional.empty();
    }
    node.allowOnly(
        "min", "max", "metric", "target", "interval", "scaleDownAfter", "provisioningDelay");
    if (!"emulated".equals(kind)) {
      throw new IllegalArgumentException(
          node.path + ": set on an " + kind + " pool (expected: only on emulated pools; the gateway"
              + " cannot add or remove an upstream's replicas)");
    }
    int min = node.child("min").integer(1, 0, 10_000);
    ConfigNode maxNode = node.child("max");
    if (maxNode.missing()) {
      throw new IllegalArgumentException(maxNode.path + ": missing (expected: an integer from 1 to 10000)");
    }
    int max = maxNode.integer(1, 1, 10_000);
    if (max < min) {
      throw new IllegalArgumentException(
          maxNode.path + ": " + max + " (expected: >= autoscale.min " + min + ")");
    }
    ConfigNode metricNode = node.child("metric");
    AutoscaleConfig.Metric metric = AutoscaleConfig.Metric.QUEUE_DEPTH;
    if (!metricNode.missing()) {
      String text = metricNode.requiredText();
      try {
        metric = AutoscaleConfig.Metric.parse(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            metricNode.path + ": " + text + " (expected: queue-depth or utilisation)", e);
      }
    }
    ConfigNode targetNode = node.child("target");
    double target = metric == AutoscaleConfig.Metric.QUEUE_DEPTH ? 4 : 0.7;
    if (!targetNode.missing()) {
      String text = targetNode.text(null);
      String expected =
          metric == AutoscaleConfig.Metric.QUEUE_DEPTH
              ? "requests per replica, > 0"
              : "a utilisation > 0 and <= 1";
      try {
        target = Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(targetNode.path + ": " + text + " (expected: " + expected + ")");
      }
      if (!(target > 0) || Double.isInfinite(target)
          || (metric == AutoscaleConfig.Metric.UTILISATION && target > 1)) {
        throw new IllegalArgumentException(targetNode.path + ": " + text + " (expected: " + expected + ")");
      }
    }
    Duration interval = node.child("interval").duration(Duration.ofSeconds(10));
    Duration scaleDownAfter = node.child("scaleDownAfter").duration(Duration.ofSeconds(60));
    ConfigNode provisioningNode = node.child("provisioningDelay");
    Optional<Duration> provisioning =
        provisioningNode.missing()
            ? Optional.empty()
            : Optional.of(provisioningNode.duration(Duration.ZERO));
    return Optional.of(
        new AutoscaleConfig(min, max, metric, target, interval, scaleDownAfter, provisioning));
  }

  /**
   * A model's {@code cache} block: {@code {ttl, maxEntries}}, each optional ({@code cache: {}} takes
   * the defaults); only on models that generate text.
   */
  private Optional<CacheConfig> cache(ConfigNode node, int embeddingDimensions) {
    if (node.missing()) {
      return Optional.empty();
    }
    node.allowOnly("ttl", "maxEntries");
    if (embeddingDimensions > 0) {
      throw new IllegalArgumentException(
          node.path + ": set on an embedding model (expected: only on models that generate text)");
    }
    CacheConfig d = CacheConfig.DEFAULT;
    Duration ttl = node.child("ttl").duration(d.ttl());
    int maxEntries = node.child("maxEntries").integer(d.maxEntries(), 1, 100_000_000);
    return Optional.of(new CacheConfig(ttl, maxEntries));
  }

  // ---------------------------------------------------------------- tenancy

  /** {@code trn2.48xlarge} → {@code trn2}, {@code p5.48xlarge} → {@code p5}; the kind otherwise. */
  private static String shortName(Map<String, Object> settings, String kind) {
    Object accelerator = settings.get("accelerator");
    if (accelerator == null) {
      return kind;
    }
    String a = accelerator.toString();
    int dot = a.indexOf('.');
    return dot > 0 ? a.substring(0, dot) : a;
  }

  static ServiceTier tier(ConfigNode node, String key) {
    try {
      return ServiceTier.fromWire(key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          node.path + ": " + key + " (expected: priority, default, flex or batch)", e);
    }
  }

  /** The model's own value for {@code key}, else the defaults' value. */
  private static ConfigNode inherit(ConfigNode model, ConfigNode defaults, String key) {
    ConfigNode own = model.child(key);
    return own.missing() ? defaults.child(key) : own;
  }
}
