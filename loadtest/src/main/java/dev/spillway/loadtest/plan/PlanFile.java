package dev.spillway.loadtest.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spillway.backends.emulator.AcceleratorProfile;
import dev.spillway.backends.emulator.PricingPlan;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.config.AutoscaleConfig;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.loadtest.experiment.Fleet;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.Trace;
import dev.spillway.loadtest.workload.WorkloadOptions;
import dev.spillway.loadtest.yaml.Field;
import dev.spillway.loadtest.yaml.Inputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps a plan YAML file to a {@link PlanSpec}, validating every field once; errors name the field and
 * what was expected: {@code candidates[1].tp: 7 (expected: ...)}.
 *
 * <pre>
 * name: azure-code-70b                      # optional; default: the file name
 * workload:
 *   model: llama-3.3-70b                    # required
 *   trace: ../traces/azure-code-2023.csv    # an Azure LLM inference trace (TIMESTAMP,ContextTokens,GeneratedTokens)
 *   speedup: 1.0                            # replay faster (2.0) or slower (0.5) than recorded
 *   requests: 2000                          # optional: only the first N rows
 *   # ... or distributions instead of a trace:
 *   # rate: 5, arrival: poisson, requests: 4000, duration: 10m, inputLen: lognormal:1000:0.5, outputLen: 200
 *   tiers: {priority: 0.2, default: 0.8}
 *   seed: 42
 * slo:                                      # per tier: goals, and the share of requests that must meet them
 *   priority: {ttft: 1s, tpot: 50ms, attainment: 0.99}
 *   default:  {ttft: 3s, tpot: 100ms, attainment: 0.95}
 * candidates:                               # emulated pool shapes; max: replicas available
 *   - {accelerator: trn2.48xlarge, tp: 64, max: 16}
 *   - {accelerator: p5.48xlarge, dtype: fp8, tp: 2}
 * policies: [least-outstanding, cheapest-within-slo]
 * pricing: on-demand                        # on-demand | reserved-1y | reserved-3y | spot
 * profiles: my-profiles.yaml                # optional overrides of the built-in profiles (prices, ...)
 * maxReplicas: 64                           # optional: the limit of a candidate without max
 * maxQueueWait: 60s                         # optional: the gateway's queue bound, as in its config
 * burst:                                    # optional: also weigh a reserved base plus autoscaled burst
 *   base: reserved-1y                       # how the base is paid (default reserved-1y)
 *   burst: on-demand                        # how replicas above it are paid (default on-demand)
 *   metric: queue-depth                     # or utilisation; target: 4 (0.8 for utilisation)
 *   interval: 15s                           # scaleDownAfter: 5m
 * </pre>
 *
 * <p>Relative paths are resolved against the plan file's directory.
 */
public final class PlanFile {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String NO_TRACE = "lengths come from a trace only when workload.trace is set";
  private static final int DEFAULT_MAX_REPLICAS = 64;

  private PlanFile() {}

  /** Reads and validates {@code file}. */
  public static PlanSpec load(Path file) {
    Inputs.InputFile input = Inputs.read(file);
    return parse(input.text(), input.dir(), input.stem(), file.toString());
  }

  /**
   * Parses plan YAML; {@code baseDir} resolves relative paths, {@code defaultName} names a plan without
   * a {@code name}, {@code source} names the text in messages and reports.
   */
  public static PlanSpec parse(String yaml, Path baseDir, String defaultName, String source) {
    Field top = Inputs.root(yaml, source, "a mapping with workload, slo, candidates and policies");
    top.allowOnly(
        "name", "description", "workload", "slo", "candidates", "policies", "pricing", "profiles",
        "maxReplicas", "maxQueueWait", "burst");
    String name = top.child("name").text(defaultName);
    Field w = top.child("workload");
    w.requireMapping("a mapping with model and trace (or rate and lengths), tiers, seed");
    String model = w.child("model").requiredText("the model every request names, such as llama-3.3-70b");
    Path trace = tracePath(w.child("trace"), baseDir);
    WorkloadOptions workload = workload(w, model, trace);
    Map<ServiceTier, TierGoal> slo = slo(top.child("slo"));
    List<String> policies = Inputs.policies(top.child("policies"));
    PricingPlan pricing = pricing(top.child("pricing"), PricingPlan.ON_DEMAND);
    Profiles profiles = Inputs.profiles(top.child("profiles"), baseDir);
    int maxReplicas =
        (int) Math.min(Integer.MAX_VALUE, top.child("maxReplicas").positiveLong(DEFAULT_MAX_REPLICAS));
    Field maxQueueWait = top.child("maxQueueWait");
    if (!maxQueueWait.missing()) {
      maxQueueWait.duration();
    }
    GatewayConfig gateway = gateway(top.child("candidates"), model, maxQueueWait.text("60s"));
    Fleet fleet = fleet(gateway, model, profiles);
    List<Candidate> candidates = candidates(top.child("candidates"), fleet, profiles, pricing);
    Burst burst = burst(top.child("burst"));
    return new PlanSpec(
        name, source, trace == null ? "distributions" : trace.toString(), workload, slo, candidates,
        policies, pricing, profiles, gateway, maxReplicas, burst);
  }

  private static Burst burst(Field field) {
    if (field.missing()) {
      return null;
    }
    field.requireMapping("a mapping such as {base: reserved-1y, burst: on-demand, metric: queue-depth, target: 4}");
    field.allowOnly("base", "burst", "metric", "target", "interval", "scaleDownAfter");
    PricingPlan base = pricing(field.child("base"), PricingPlan.RESERVED_1Y);
    PricingPlan burst = pricing(field.child("burst"), PricingPlan.ON_DEMAND);
    AutoscaleConfig.Metric metric;
    try {
      metric = AutoscaleConfig.Metric.parse(field.child("metric").text("queue-depth"));
    } catch (IllegalArgumentException e) {
      throw field.child("metric").invalid("queue-depth or utilisation");
    }
    double target =
        field.child("target").missing()
            ? (metric == AutoscaleConfig.Metric.QUEUE_DEPTH ? 4 : 0.8)
            : field.child("target").positiveDouble("a number > 0 (a utilisation at most 1)");
    Duration interval = field.child("interval").missing() ? Duration.ofSeconds(15) : field.child("interval").duration();
    Duration scaleDownAfter =
        field.child("scaleDownAfter").missing() ? Duration.ofMinutes(5) : field.child("scaleDownAfter").duration();
    try {
      return new Burst(base, burst, metric, target, interval, scaleDownAfter);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field.path() + "." + e.getMessage(), e);
    }
  }

  private static PricingPlan pricing(Field field, PricingPlan otherwise) {
    if (field.missing()) {
      return otherwise;
    }
    try {
      return PricingPlan.parse(field.text(""));
    } catch (IllegalArgumentException e) {
      throw field.invalid("one of on-demand, reserved-1y, reserved-3y, spot");
    }
  }

  private static Path tracePath(Field field, Path baseDir) {
    if (field.missing()) {
      return null;
    }
    Path file = baseDir.resolve(field.requiredText("a trace CSV file"));
    if (!Files.isReadable(file)) {
      throw field.invalid("a readable trace CSV file (TIMESTAMP,ContextTokens,GeneratedTokens)");
    }
    return file;
  }

  private static WorkloadOptions workload(Field w, String model, Path tracePath) {
    WorkloadOptions.Builder builder;
    if (tracePath != null) {
      w.allowOnly("model", "trace", "speedup", "requests", "tiers", "tenants", "seed");
      Trace trace;
      try {
        trace = Trace.readAzureCsv(tracePath);
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new IllegalArgumentException(w.child("trace").path() + ": " + e.getMessage(), e);
      }
      double speedup = w.child("speedup").missing() ? 1 : w.child("speedup").positiveDouble("a number > 0");
      builder = WorkloadOptions.builder(new Arrival.Replay(trace, 1 / speedup), model);
      builder.inputLength(LengthSpec.TRACE);
      builder.outputLength(LengthSpec.TRACE);
      builder.requests(w.child("requests").positiveLong(0));
    } else {
      if (!w.child("speedup").missing()) {
        throw w.child("speedup").invalid("speedup only with a trace");
      }
      w.allowOnly(
          "model", "trace", "rate", "arrival", "burstiness", "requests", "duration", "inputLen", "outputLen",
          "tiers", "tenants", "seed");
      double rate = w.child("rate").positiveDouble("a request rate > 0 (or a trace to replay)");
      builder = WorkloadOptions.builder(Inputs.arrival(w, rate), model);
      builder.requests(w.child("requests").positiveLong(w.child("duration").missing() ? 1000 : 0));
      builder.duration(w.child("duration").duration());
      builder.inputLength(Inputs.length(w.child("inputLen"), new LengthSpec.Fixed(1024), NO_TRACE));
      builder.outputLength(Inputs.length(w.child("outputLen"), new LengthSpec.Fixed(128), NO_TRACE));
    }
    Inputs.mixes(w, builder);
    builder.seed(w.child("seed").anyLong(0));
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("workload." + e.getMessage(), e);
    }
  }



  private static Map<ServiceTier, TierGoal> slo(Field slo) {
    String expected = "per tier, {ttft, tpot, e2e, attainment}, such as priority: {ttft: 1s, attainment: 0.99}";
    slo.requireMapping(expected);
    Map<ServiceTier, TierGoal> goals = new EnumMap<>(ServiceTier.class);
    for (Map.Entry<String, Field> entry : slo.entries(expected).entrySet()) {
      Field tierField = entry.getValue();
      ServiceTier tier;
      try {
        tier = ServiceTier.fromWire(entry.getKey());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            tierField.path() + ": unknown tier (expected one of: priority, default, flex, batch)", e);
      }
      tierField.requireMapping(expected);
      tierField.allowOnly("ttft", "tpot", "e2e", "attainment");
      SloGoals tierGoals =
          new SloGoals(
              tierField.child("ttft").duration(), tierField.child("tpot").duration(),
              tierField.child("e2e").duration());
      if (!tierGoals.any()) {
        throw tierField.invalid("at least one of ttft, tpot, e2e");
      }
      Field attainment = tierField.child("attainment");
      double share = attainment.missing() ? Double.NaN : attainment.fraction(0);
      if (!(share > 0)) {
        throw attainment.missing() ? attainment.missingField("a share > 0 and <= 1, such as 0.99") : attainment.invalid("a share > 0 and <= 1, such as 0.99");
      }
      goals.put(tier, new TierGoal(tierGoals, share));
    }
    if (goals.isEmpty()) {
      throw slo.invalid(expected);
    }
    return goals;
  }

  /**
   * The gateway configuration of the candidates as pools of one replica each, read by the gateway's own
   * loader so that every setting means and is checked as in a gateway config; its errors are renamed
   * from {@code models[0].pools[i]} to {@code candidates[i]}.
   */
  private static GatewayConfig gateway(Field field, String model, String maxQueueWait) {
    String expected = "a list of emulated pool shapes, such as {accelerator: p5.48xlarge, dtype: fp8, tp: 2, max: 8}";
    if (field.missing()) {
      throw field.missingField(expected);
    }
    List<Field> elements = field.elements(expected);
    if (elements.isEmpty()) {
      throw field.invalid(expected);
    }
    ArrayNode pools = YAML.createArrayNode();
    Set<String> names = new HashSet<>();
    for (Field element : elements) {
      element.requireMapping(expected);
      if (!element.child("kind").missing() && !"emulated".equals(element.child("kind").text(""))) {
        throw element.child("kind").invalid("emulated; a plan runs in virtual time");
      }
      if (!element.child("replicas").missing()) {
        throw element.child("replicas").invalid("no replicas: the planner chooses them; max: limits them");
      }
      element.child("max").positiveLong(1);
      ObjectNode pool = ((ObjectNode) element.json()).deepCopy();
      pool.remove("max");
      String poolName = element.child("name").text(defaultName(element));
      if (!names.add(poolName)) {
        throw element.invalid("a name of its own (name: ...): " + poolName + " is taken");
      }
      pool.put("name", poolName);
      pool.put("kind", "emulated");
      pool.put("replicas", 1);
      pools.add(pool);
    }
    ObjectNode modelNode = YAML.createObjectNode();
    modelNode.put("name", model);
    modelNode.put("maxQueueWait", maxQueueWait);
    modelNode.set("pools", pools);
    ObjectNode root = YAML.createObjectNode();
    root.set("models", YAML.createArrayNode().add(modelNode));
    try {
      return ConfigLoader.withSystemEnvironment().parse(YAML.writeValueAsString(root), "plan");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rename(e.getMessage()), e);
    }
  }

  /** {@code trn2.48xlarge-tp64}, {@code p5.48xlarge-fp8-tp2}, {@code inf2.48xlarge-tp24-b1}, {@code cs-3}. */
  private static String defaultName(Field element) {
    StringBuilder name = new StringBuilder(element.child("accelerator").requiredText("an accelerator, such as trn2.48xlarge"));
    String dtype = element.child("dtype").text("");
    if (!dtype.isEmpty()) {
      name.append('-').append(dtype);
    }
    String tp = element.child("tp").text("");
    if (!tp.isEmpty()) {
      name.append("-tp").append(tp);
    }
    String batchSize = element.child("batchSize").text("");
    if (!batchSize.isEmpty()) {
      name.append("-b").append(batchSize);
    }
    return name.toString().toLowerCase(Locale.ROOT);
  }

  private static String rename(String message) {
    return message
        .replaceAll("^plan: ", "")
        .replaceAll("models\\[0\\]\\.pools\\[(\\d+)\\]", "candidates[$1]")
        .replaceAll("models\\[0\\]\\.", "");
  }

  private static Fleet fleet(GatewayConfig gateway, String model, Profiles profiles) {
    try {
      return Fleet.of(gateway, model, profiles, "plan");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rename(e.getMessage().replace("plan.models", "models")), e);
    }
  }

  private static List<Candidate> candidates(Field field, Fleet fleet, Profiles profiles, PricingPlan pricing) {
    List<Field> elements = field.elements("a list");
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      Fleet.Pool pool = fleet.pools().get(i);
      int max = (int) Math.min(Integer.MAX_VALUE, elements.get(i).child("max").positiveLong(Integer.MAX_VALUE));
      Map<PricingPlan, Double> prices = prices(pool, profiles);
      candidates.add(new Candidate(pool.config(), pool.accelerator(), pool.description(), pricing, prices, max));
    }
    return candidates;
  }

  /**
   * One replica's price per hour under every plan: its share of the instance (what the fleet's
   * on-demand price per replica is of the instance's on-demand price) times the instance's price
   * under the plan.
   */
  private static Map<PricingPlan, Double> prices(Fleet.Pool pool, Profiles profiles) {
    AcceleratorProfile accelerator = profiles.accelerator(pool.accelerator());
    double share = pool.replicaCostPerHour() / accelerator.pricePerHour(PricingPlan.ON_DEMAND);
    Map<PricingPlan, Double> prices = new EnumMap<>(PricingPlan.class);
    for (PricingPlan plan : PricingPlan.values()) {
      prices.put(plan, share * accelerator.pricePerHour(plan));
    }
    return prices;
  }
}
