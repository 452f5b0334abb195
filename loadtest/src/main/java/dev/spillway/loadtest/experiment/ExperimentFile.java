package dev.spillway.loadtest.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.Warmup;
import dev.spillway.loadtest.workload.WorkloadOptions;
import dev.spillway.loadtest.yaml.Field;
import dev.spillway.loadtest.yaml.Inputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * Maps an experiment YAML file to an {@link ExperimentSpec}, validating every field once; errors name
 * the field and what was expected: {@code policies[1]: fastest (expected one of: [round-robin, ...])}.
 *
 * <pre>
 * name: cost-aware-routing                  # optional; default: the file name
 * workload:                                 # the knobs of the workload flags
 *   model: llama-3.3-70b                    # required
 *   arrival: poisson                        # poisson (default), gamma or constant
 *   burstiness: 0.5                         # gamma's shape; implies gamma
 *   requests: 4000                          # per run, warm-up included; default 1000
 *   duration: 10m                           # optional limit on the arrivals of a run
 *   warmup: 200                             # a request count, or a duration such as 30s
 *   inputLen: lognormal:1000:0.5            # length SPECs as --input-len / --output-len
 *   outputLen: lognormal:250:0.5
 *   tiers: {priority: 0.2, default: 0.8}    # or "priority=0.2,default=0.8"; tenants likewise
 *   prefixRatio: 0.0
 *   prefixGroups: 4
 *   seed: 42
 *   slo: {ttft: 2s, tpot: 100ms, e2e: 60s}  # at least one; goodput and attainment use them
 * rates: [2, 10, 40]                        # requests per second
 * policies: [round-robin, cheapest-within-slo]
 * routingObjective: goals                   # goals (default): the SLO goals are the routing objective
 *                                           # of every tier; fleet: keep the fleet's own
 * profiles: my-profiles.yaml                # optional overrides of the built-in profiles
 * fleet:                                    # an inline gateway config (models:, defaults:) ...
 *   models: [...]
 * # fleet: {config: gateway.yaml}           # ... or a gateway config file
 * baseline: equal-cost-single-accelerator   # or {kind: equal-cost-single-accelerator, policy: NAME}
 * </pre>
 *
 * <p>Relative paths are resolved against the experiment file's directory.
 */
public final class ExperimentFile {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String NO_TRACE = "an experiment does not replay a trace";

  private ExperimentFile() {}

  /** Reads and validates {@code file}. */
  public static ExperimentSpec load(Path file) {
    Inputs.InputFile input = Inputs.read(file);
    return parse(input.text(), input.dir(), input.stem(), file.toString());
  }

  /**
   * Parses experiment YAML; {@code baseDir} resolves relative paths, {@code defaultName} names an
   * experiment without a {@code name}, {@code source} names the text in messages and reports.
   */
  public static ExperimentSpec parse(String yaml, Path baseDir, String defaultName, String source) {
    Field top = Inputs.root(yaml, source, "a mapping with workload, rates, policies and fleet");
    top.allowOnly(
        "name", "description", "workload", "rates", "policies", "routingObjective", "profiles", "fleet",
        "baseline");
    String name = top.child("name").text(defaultName);
    List<Double> rates = rates(top.child("rates"));
    Field workloadField = top.child("workload");
    workloadField.requireMapping("a mapping with model, requests, inputLen, outputLen, slo, ...");
    if (!workloadField.child("rates").missing()) {
      throw new IllegalArgumentException("workload.rates: " + workloadField.child("rates").describe()
          + " (expected: rates at the top level of the file)");
    }
    workloadField.allowOnly(
        "model", "arrival", "burstiness", "requests", "duration", "warmup", "inputLen", "outputLen", "tiers",
        "tenants", "prefixRatio", "prefixGroups", "seed", "slo");
    WorkloadOptions workload = workload(workloadField, rates.get(0));
    SloGoals goals = goals(workloadField.child("slo"));
    List<String> policies = Inputs.policies(top.child("policies"));
    boolean routeToGoals = routingObjective(top.child("routingObjective"));
    Profiles profiles = Inputs.profiles(top.child("profiles"), baseDir);
    String model = workload.models().values().get(0);
    Fleet fleet = fleet(top.child("fleet"), baseDir, model, profiles);
    ExperimentSpec.Baseline baseline = baseline(top.child("baseline"));
    return new ExperimentSpec(
        name, source, workload, goals, rates, policies, fleet, profiles, routeToGoals, baseline);
  }

  private static List<Double> rates(Field field) {
    String expected = "a list of request rates > 0, such as [2, 10, 40]";
    if (field.missing()) {
      throw field.missingField(expected);
    }
    List<Field> elements = field.elements(expected);
    if (elements.isEmpty()) {
      throw field.invalid(expected);
    }
    TreeSet<Double> rates = new TreeSet<>();
    for (Field element : elements) {
      if (!rates.add(element.positiveDouble("a number > 0"))) {
        throw element.invalid("rates without repeats");
      }
    }
    return List.copyOf(rates);
  }

  private static WorkloadOptions workload(Field w, double firstRate) {
    String model = w.child("model").requiredText("the model every request names, such as llama-3.3-70b");
    WorkloadOptions.Builder builder = WorkloadOptions.builder(Inputs.arrival(w, firstRate), model);
    builder.requests(w.child("requests").positiveLong(w.child("duration").missing() ? 1000 : 0));
    builder.duration(w.child("duration").duration());
    builder.warmup(warmup(w.child("warmup")));
    builder.inputLength(Inputs.length(w.child("inputLen"), new LengthSpec.Fixed(1024), NO_TRACE));
    builder.outputLength(Inputs.length(w.child("outputLen"), new LengthSpec.Fixed(128), NO_TRACE));
    Inputs.mixes(w, builder);
    builder.prefixRatio(w.child("prefixRatio").fraction(0));
    builder.prefixGroups((int) Math.min(Integer.MAX_VALUE, w.child("prefixGroups").positiveLong(4)));
    builder.seed(w.child("seed").anyLong(0));
    try {
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("workload." + e.getMessage(), e);
    }
  }


  private static Warmup warmup(Field field) {
    if (field.missing()) {
      return Warmup.NONE;
    }
    if (field.json().isIntegralNumber() && field.json().asLong() >= 0) {
      return Warmup.requests(field.json().asLong());
    }
    Duration duration = field.json().isTextual() ? Field.parseDuration(field.json().asText()) : null;
    if (duration == null) {
      throw field.invalid("a request count such as 200 or a duration such as 30s");
    }
    return Warmup.duration(duration);
  }



  private static SloGoals goals(Field slo) {
    String expected = "a mapping with at least one of ttft, tpot, e2e, such as {ttft: 2s, tpot: 100ms}";
    slo.requireMapping(expected);
    slo.allowOnly("ttft", "tpot", "e2e");
    SloGoals goals = new SloGoals(slo.child("ttft").duration(), slo.child("tpot").duration(), slo.child("e2e").duration());
    if (!goals.any()) {
      throw slo.invalid(expected);
    }
    return goals;
  }



  private static boolean routingObjective(Field field) {
    String value = field.text("goals");
    if (value.equals("goals") || value.equals("fleet")) {
      return value.equals("goals");
    }
    throw field.invalid("goals (the SLO goals route every tier) or fleet (the fleet's own objectives)");
  }


  private static Fleet fleet(Field field, Path baseDir, String model, Profiles profiles) {
    String expected = "an inline gateway config with models: (and optionally defaults:), or {config: FILE}";
    if (field.missing()) {
      throw field.missingField(expected);
    }
    ConfigLoader loader = ConfigLoader.withSystemEnvironment();
    if (field.json().isTextual() || (field.json().isObject() && !field.child("config").missing())) {
      Field path = field.json().isTextual() ? field : field.child("config");
      field.allowOnly("config");
      Path file = baseDir.resolve(path.requiredText("a gateway config file"));
      if (!Files.isReadable(file)) {
        throw path.invalid("a readable gateway config file");
      }
      GatewayConfig config;
      try {
        config = loader.load(file);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path.path() + " (" + file + "): " + e.getMessage(), e);
      }
      return Fleet.of(config, model, profiles, path.path() + " (" + file + ")");
    }
    if (!field.json().isObject()) {
      throw field.invalid(expected);
    }
    GatewayConfig config;
    try {
      config = loader.parse(YAML.writeValueAsString(field.json()), field.path());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      boolean named = message.startsWith("models") || message.startsWith("server") || message.startsWith("defaults");
      throw new IllegalArgumentException(
          (named ? field.path() + "." : message.startsWith(field.path()) ? "" : field.path() + ": ") + message, e);
    }
    return Fleet.of(config, model, profiles, field.path());
  }

  private static ExperimentSpec.Baseline baseline(Field field) {
    String expected =
        ExperimentSpec.Baseline.EQUAL_COST_SINGLE_ACCELERATOR + ", or {kind: "
            + ExperimentSpec.Baseline.EQUAL_COST_SINGLE_ACCELERATOR + ", policy: NAME}";
    if (field.missing()) {
      return null;
    }
    Field kind = field;
    String policy = RoutingPolicies.LEAST_OUTSTANDING;
    if (field.json().isObject()) {
      field.allowOnly("kind", "policy");
      kind = field.child("kind");
      if (!field.child("policy").missing()) {
        policy = Inputs.policy(field.child("policy"));
      }
    } else if (!field.json().isTextual()) {
      throw field.invalid(expected);
    }
    if (!ExperimentSpec.Baseline.EQUAL_COST_SINGLE_ACCELERATOR.equals(kind.requiredText(expected))) {
      throw kind.invalid(expected);
    }
    return new ExperimentSpec.Baseline(ExperimentSpec.Baseline.EQUAL_COST_SINGLE_ACCELERATOR, policy);
  }
}
