package dev.spillway.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

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
    Node top = new Node("", root);
    top.allowOnly(
        "server", "defaults", "models", "tenants", "admin", "cluster", "ledger", "inferenceProfiles");
    ServerConfig server = server(top.child("server"));
    Node defaults = top.child("defaults");
    Node models = top.child("models");
    if (models.missing() || !models.json.isArray() || models.json.isEmpty()) {
      throw new IllegalArgumentException("models: " + models.describe() + " (expected: a list of at least one model)");
    }
    List<ModelConfig> list = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < models.json.size(); i++) {
      ModelConfig model = model(new Node("models[" + i + "]", models.json.get(i)), defaults);
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
    List<TenantConfig> tenants = tenants(top.child("tenants"), list);
    return new GatewayConfig(
        server, list, tenants, admin(top.child("admin")),
        cluster(top.child("cluster")), ledger(top.child("ledger")),
        inferenceProfiles(top.child("inferenceProfiles"), list, tenants));
  }

  /**
   * {@code inferenceProfiles:}: {@code regions}, a mapping of geography prefix to regions laid over
   * Bedrock's defaults ({@link InferenceProfiles#DEFAULT}; an empty list spans every region), and
   * {@code application}, the application inference profiles ({@code id}, {@code model}: a configured
   * name or alias, {@code tag}: the id when absent, {@code tenant}: optional).
   */
  private InferenceProfiles inferenceProfiles(
      Node node, List<ModelConfig> models, List<TenantConfig> tenants) {
    if (node.missing()) {
      return InferenceProfiles.DEFAULT;
    }
    node.allowOnly("regions", "application");
    Node regionsNode = node.child("regions");
    Map<String, List<String>> overrides = new LinkedHashMap<>();
    if (!regionsNode.missing()) {
      if (!regionsNode.json.isObject()) {
        throw new IllegalArgumentException(
            regionsNode.path + ": " + regionsNode.describe() + " (expected: a mapping of geography to a list of regions)");
      }
      for (Map.Entry<String, Node> e : regionsNode.fields().entrySet()) {
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
    Node list = node.child("application");
    if (!list.missing()) {
      if (!list.json.isArray()) {
        throw new IllegalArgumentException(
            list.path + ": " + list.describe() + " (expected: a list of application inference profiles)");
      }
      for (int i = 0; i < list.json.size(); i++) {
        Node a = new Node(list.path + "[" + i + "]", list.json.get(i));
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

  private ServerConfig server(Node node) {
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
  private LedgerConfig ledger(Node node) {
    if (node.missing()) {
      return LedgerConfig.DEFAULT;
    }
    node.allowOnly("enabled", "path", "maxFileBytes", "queueCapacity");
    Node enabledNode = node.child("enabled");
    boolean enabled = true;
    if (!enabledNode.missing()) {
      String text = enabledNode.text(null).trim();
      if (!text.equals("true") && !text.equals("false")) {
        throw new IllegalArgumentException(enabledNode.path + ": " + text + " (expected: true or false)");
      }
      enabled = Boolean.parseBoolean(text);
    }
    Node pathNode = node.child("path");
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

  private ModelConfig model(Node node, Node defaults) {
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
    Node capacityNode = inherit(node, defaults, "queueCapacity");
    for (Map.Entry<String, Node> e : capacityNode.fields().entrySet()) {
      capacity.put(tier(e.getValue(), e.getKey()), e.getValue().integer(0, 0, 10_000_000));
    }
    Duration maxWait = inherit(node, defaults, "maxQueueWait").duration(Duration.ofSeconds(60));
    Map<ServiceTier, Slo> slos = new EnumMap<>(ServiceTier.class);
    slos.put(ServiceTier.PRIORITY, new Slo(Duration.ofSeconds(1), Duration.ofMillis(60)));
    slos.put(ServiceTier.DEFAULT, new Slo(Duration.ofSeconds(3), Duration.ofMillis(120)));
    slos.put(ServiceTier.FLEX, new Slo(Duration.ofSeconds(60), Duration.ofSeconds(1)));
    slos.put(ServiceTier.BATCH, new Slo(Duration.ofHours(1), Duration.ofSeconds(10)));
    for (Map.Entry<String, Node> e : inherit(node, defaults, "slo").fields().entrySet()) {
      Node slo = e.getValue();
      slo.allowOnly("ttft", "tpot");
      ServiceTier tier = tier(slo, e.getKey());
      Slo base = slos.get(tier);
      slos.put(tier, new Slo(slo.child("ttft").duration(base.ttft()), slo.child("tpot").duration(base.tpot())));
    }
    int maxTokens = inherit(node, defaults, "defaultMaxTokens").integer(512, 1, 1_000_000);
    int dimensions = node.child("embeddingDimensions").integer(0, 0, 65_536);
    Node poolsNode = node.child("pools");
    if (poolsNode.missing() || !poolsNode.json.isArray() || poolsNode.json.isEmpty()) {
      throw new IllegalArgumentException(
          poolsNode.path + ": " + poolsNode.describe() + " (expected: a list of at least one pool)");
    }
    List<PoolConfig> pools = new ArrayList<>();
    for (int i = 0; i < poolsNode.json.size(); i++) {
      pools.add(pool(new Node(poolsNode.path + "[" + i + "]", poolsNode.json.get(i)), name));
    }
    return new ModelConfig(
        name, aliases, routing, capacity, maxWait, slos, maxTokens, dimensions, pools,
        cache(node.child("cache"), dimensions), node.child("fallbacks").textList());
  }

  private PoolConfig pool(Node node, String model) {
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
    for (Map.Entry<String, Node> e : node.fields().entrySet()) {
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
        name, kind, replicas, delay, settings, autoscale, resilience(node.child("resilience")), region);
  }

  /** A pool's {@code resilience} block; every field optional, with {@link ResilienceConfig#DEFAULT}'s values. */
  private static ResilienceConfig resilience(Node node) {
    if (node.missing()) {
      return ResilienceConfig.DEFAULT;
    }
    node.allowOnly("circuitBreaker", "retry", "bulkhead", "timeLimiter");
    Node bulkhead = node.child("bulkhead");
    bulkhead.allowOnly("maxConcurrent");
    return new ResilienceConfig(
        breaker(node.child("circuitBreaker")), retry(node.child("retry")),
        new BulkheadConfig(bulkhead.child("maxConcurrent").integer(0, 0, 1_000_000)),
        timeLimiter(node.child("timeLimiter")));
  }

  /** {@code firstToken}: a multiple of the TTFT objective ({@code 10x}) or a duration; {@code total}: a duration. */
  private static TimeLimiterConfig timeLimiter(Node node) {
    TimeLimiterConfig d = TimeLimiterConfig.DEFAULT;
    if (node.missing()) {
      return d;
    }
    node.allowOnly("firstToken", "total");
    Node first = node.child("firstToken");
    double multiple = d.firstTokenSloMultiple();
    Optional<Duration> fixed = d.firstToken();
    if (!first.missing()) {
      String text = first.text(null).trim();
      if (text.endsWith("x")) {
        try {
          multiple = Double.parseDouble(text.substring(0, text.length() - 1));
        } catch (NumberFormatException e) {
          multiple = -1;
        }
        if (!(multiple > 0) || Double.isInfinite(multiple)) {
          throw new IllegalArgumentException(
              first.path + ": " + text + " (expected: a multiple of the TTFT objective such as 10x, or a duration)");
        }
        fixed = Optional.empty();
      } else {
        fixed = Optional.of(first.duration(null));
      }
    }
    return new TimeLimiterConfig(multiple, fixed, node.child("total").duration(d.total()));
  }

  private static BreakerConfig breaker(Node cb) {
    BreakerConfig d = BreakerConfig.DEFAULT;
    if (cb.missing()) {
      return d;
    }
    cb.allowOnly(
        "failureRateThreshold", "slowCallDurationThreshold", "slowCallRateThreshold",
        "minimumNumberOfCalls", "slidingWindowSize", "waitDurationInOpenState",
        "permittedCallsInHalfOpenState");
    int window = cb.child("slidingWindowSize").integer(d.slidingWindowSize(), 1, 100_000);
    Node minNode = cb.child("minimumNumberOfCalls");
    int min = minNode.integer(Math.min(d.minimumNumberOfCalls(), window), 1, 100_000);
    if (min > window) {
      throw new IllegalArgumentException(
          minNode.path + ": " + min + " (expected: from 1 to slidingWindowSize " + window + ")");
    }
    return new BreakerConfig(
        cb.child("failureRateThreshold").integer((int) d.failureRateThreshold(), 1, 100),
        cb.child("slowCallDurationThreshold").duration(d.slowCallDurationThreshold()),
        cb.child("slowCallRateThreshold").integer((int) d.slowCallRateThreshold(), 1, 100),
        min,
        window,
        cb.child("waitDurationInOpenState").duration(d.waitDurationInOpenState()),
        cb.child("permittedCallsInHalfOpenState").integer(d.permittedCallsInHalfOpenState(), 1, 10_000));
  }

  private static RetryConfig retry(Node node) {
    RetryConfig d = RetryConfig.DEFAULT;
    if (node.missing()) {
      return d;
    }
    node.allowOnly(
        "maxAttempts", "initialBackoff", "maxBackoff", "budgetPercent", "minRetriesPerSecond",
        "budgetWindow");
    Duration initial = node.child("initialBackoff").duration(d.initialBackoff());
    Node maxNode = node.child("maxBackoff");
    Duration max = maxNode.duration(initial.compareTo(d.maxBackoff()) > 0 ? initial : d.maxBackoff());
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          maxNode.path + ": " + maxNode.describe() + " (expected: >= initialBackoff)");
    }
    Node windowNode = node.child("budgetWindow");
    Duration window = windowNode.duration(d.budgetWindow());
    if (window.toMillis() < 100) {
      throw new IllegalArgumentException(windowNode.path + ": " + windowNode.describe() + " (expected: >= 100ms)");
    }
    return new RetryConfig(
        node.child("maxAttempts").integer(d.maxAttempts(), 1, 10),
        initial,
        max,
        node.child("budgetPercent").integer(d.budgetPercent(), 0, 100),
        node.child("minRetriesPerSecond").integer(d.minRetriesPerSecond(), 0, 1_000_000),
        window);
  }

  /** A pool's {@code autoscale} block; only emulated pools, whose replicas the gateway makes, scale. */
  private Optional<AutoscaleConfig> autoscale(Node node, String kind) {
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
    Node maxNode = node.child("max");
    if (maxNode.missing()) {
      throw new IllegalArgumentException(maxNode.path + ": missing (expected: an integer from 1 to 10000)");
    }
    int max = maxNode.integer(1, 1, 10_000);
    if (max < min) {
      throw new IllegalArgumentException(
          maxNode.path + ": " + max + " (expected: >= autoscale.min " + min + ")");
    }
    Node metricNode = node.child("metric");
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
    Node targetNode = node.child("target");
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
    Node provisioningNode = node.child("provisioningDelay");
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
  private Optional<CacheConfig> cache(Node node, int embeddingDimensions) {
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

  /** {@code tenants:}; model names and aliases resolve to configured names; key ids and secrets unique. */
  private List<TenantConfig> tenants(Node node, List<ModelConfig> models) {
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
      Node t = new Node(node.path + "[" + i + "]", node.json.get(i));
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
        tiers.add(tier(new Node(t.child("tiers").path + "[" + k + "]", null), tierNames.get(k)));
      }
      java.util.OptionalLong rpm = optionalLong(t.child("rpm"));
      java.util.OptionalLong tpm = optionalLong(t.child("tpm"));
      Optional<BudgetConfig> budget = budget(t.child("budget"));
      Node keysNode = t.child("keys");
      if (keysNode.missing() || !keysNode.json.isArray() || keysNode.json.isEmpty()) {
        throw new IllegalArgumentException(
            keysNode.path + ": " + keysNode.describe() + " (expected: a list of at least one key)");
      }
      List<KeyConfig> keys = new ArrayList<>();
      for (int k = 0; k < keysNode.json.size(); k++) {
        keys.add(key(new Node(keysNode.path + "[" + k + "]", keysNode.json.get(k)), true, keyIds, secrets));
      }
      out.add(new TenantConfig(name, allowed, tiers, rpm, tpm, budget, keys));
    }
    return out;
  }

  private AdminConfig admin(Node node) {
    if (node.missing()) {
      return AdminConfig.NONE;
    }
    node.allowOnly("keys");
    Node keysNode = node.child("keys");
    List<KeyConfig> keys = new ArrayList<>();
    if (!keysNode.missing()) {
      if (!keysNode.json.isArray()) {
        throw new IllegalArgumentException(keysNode.path + ": " + keysNode.describe() + " (expected: a list of keys)");
      }
      for (int k = 0; k < keysNode.json.size(); k++) {
        keys.add(key(new Node(keysNode.path + "[" + k + "]", keysNode.json.get(k)), false, new HashSet<>(), new HashSet<>()));
      }
    }
    return new AdminConfig(keys);
  }

  /**
   * One key. An AWS secret must be written as an environment variable, {@code ${NAME}}: the gateway
   * needs it in clear to verify signatures, so it never sits in the file. Error messages name the
   * field, never a secret's value.
   */
  private KeyConfig key(Node node, boolean allowAws, Set<String> ids, Set<String> secrets) {
    node.allowOnly(allowAws
        ? new String[] {"id", "sha256", "awsAccessKeyId", "awsSecretAccessKey"}
        : new String[] {"id", "sha256"});
    String id = node.child("id").requiredText();
    if (!ids.add(id)) {
      throw new IllegalArgumentException(node.child("id").path + ": " + id + " (expected: a key id used once)");
    }
    Node secretNode = node.child("awsSecretAccessKey");
    if (!secretNode.missing()
        && !(secretNode.json.isTextual() && VARIABLE.matcher(secretNode.json.asText().trim()).matches())) {
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

  private Optional<BudgetConfig> budget(Node node) {
    if (node.missing()) {
      return Optional.empty();
    }
    node.allowOnly("usd", "period");
    Node usdNode = node.child("usd");
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
    Node periodNode = node.child("period");
    String period = periodNode.text("month");
    try {
      return Optional.of(new BudgetConfig(usd, BudgetConfig.Period.parse(period)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(periodNode.path + ": " + period + " (expected: day, week or month)", e);
    }
  }

  private ClusterConfig cluster(Node node) {
    if (node.missing()) {
      return ClusterConfig.LOCAL;
    }
    node.allowOnly("redis", "onRedisFailure");
    Optional<String> redis = Optional.ofNullable(node.child("redis").text(null)).filter(r -> !r.isBlank());
    Node failure = node.child("onRedisFailure");
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

  private static java.util.OptionalLong optionalLong(Node node) {
    if (node.missing()) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(node.integer(0, 1, Integer.MAX_VALUE));
  }

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

  private static ServiceTier tier(Node node, String key) {
    try {
      return ServiceTier.fromWire(key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          node.path + ": " + key + " (expected: priority, default, flex or batch)", e);
    }
  }

  /** The model's own value for {@code key}, else the defaults' value. */
  private static Node inherit(Node model, Node defaults, String key) {
    Node own = model.child(key);
    return own.missing() ? defaults.child(key) : own;
  }

  /** A YAML node with its path, for messages; string values have variables substituted. */
  private final class Node {
    final String path;
    final JsonNode json;

    Node(String path, JsonNode json) {
      this.path = path;
      this.json = json;
    }

    boolean missing() {
      return json == null || json.isMissingNode() || json.isNull();
    }

    Node child(String key) {
      JsonNode value = json == null || !json.isObject() ? null : json.get(key);
      return new Node(path.isEmpty() ? key : path + "." + key, value);
    }

    void allowOnly(String... keys) {
      if (missing()) {
        return;
      }
      if (!json.isObject()) {
        throw new IllegalArgumentException(path + ": " + describe() + " (expected: a mapping)");
      }
      Set<String> allowed = Set.of(keys);
      Iterator<String> names = json.fieldNames();
      while (names.hasNext()) {
        String name = names.next();
        if (!allowed.contains(name)) {
          throw new IllegalArgumentException(
              (path.isEmpty() ? "" : path + ".") + name + ": unknown (expected one of: "
                  + String.join(", ", keys) + ")");
        }
      }
    }

    Map<String, Node> fields() {
      Map<String, Node> out = new LinkedHashMap<>();
      if (missing()) {
        return out;
      }
      if (!(json instanceof ObjectNode)) {
        throw new IllegalArgumentException(path + ": " + describe() + " (expected: a mapping)");
      }
      json.fields().forEachRemaining(e -> out.put(e.getKey(), new Node(path + "." + e.getKey(), e.getValue())));
      return out;
    }

    String describe() {
      return missing() ? "missing" : json.isValueNode() ? json.asText() : json.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    String text(String fallback) {
      if (missing()) {
        return fallback;
      }
      if (!json.isValueNode()) {
        throw new IllegalArgumentException(path + ": " + describe() + " (expected: a string)");
      }
      return substitute(json.asText());
    }

    String requiredText() {
      String value = text(null);
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(path + ": " + describe() + " (expected: a non-empty string)");
      }
      return value;
    }

    List<String> textList() {
      List<String> out = new ArrayList<>();
      if (missing()) {
        return out;
      }
      if (!json.isArray()) {
        throw new IllegalArgumentException(path + ": " + describe() + " (expected: a list of strings)");
      }
      for (int i = 0; i < json.size(); i++) {
        out.add(new Node(path + "[" + i + "]", json.get(i)).requiredText());
      }
      return out;
    }

    int integer(int fallback, int min, int max) {
      if (missing()) {
        return fallback;
      }
      String text = text(null);
      try {
        long value = Long.parseLong(text.trim());
        if (value < min || value > max) {
          throw new NumberFormatException();
        }
        return (int) value;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            path + ": " + text + " (expected: an integer from " + min + " to " + max + ")");
      }
    }

    Duration duration(Duration fallback) {
      if (missing()) {
        return fallback;
      }
      String text = text(null).trim();
      Matcher m = DURATION.matcher(text);
      if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
        throw new IllegalArgumentException(
            path + ": " + text + " (expected: a positive duration such as 250ms, 2s, 1m or 1h)");
      }
      double amount = Double.parseDouble(m.group(1));
      double nanosPerUnit;
      switch (m.group(2)) {
        case "ms":
          nanosPerUnit = 1e6;
          break;
        case "s":
          nanosPerUnit = 1e9;
          break;
        case "m":
          nanosPerUnit = 60e9;
          break;
        default:
          nanosPerUnit = 3600e9;
      }
      return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }

    /** A scalar as Java value (numbers stay numbers), a list as a list; strings substituted. */
    Object value() {
      if (json.isNumber()) {
        return json.numberValue();
      }
      if (json.isBoolean()) {
        return json.booleanValue();
      }
      if (json.isArray()) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
          out.add(new Node(path + "[" + i + "]", json.get(i)).value());
        }
        return out;
      }
      if (json.isObject()) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : fields().entrySet()) {
          out.put(e.getKey(), e.getValue().value());
        }
        return out;
      }
      return text(null);
    }

    private String substitute(String text) {
      Matcher m = VARIABLE.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = environment.apply(m.group(1));
        if (value == null) {
          if (m.group(2) == null) {
            throw new IllegalArgumentException(
                path + ": ${" + m.group(1) + "} is not set (expected: an environment variable, or ${"
                    + m.group(1) + ":-default})");
          }
          value = m.group(2);
        }
        m.appendReplacement(out, Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }
  }
}
