package dev.spillway.loadtest.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.Mix;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What several input files share: reading one, and the values they have in common — arrivals, length
 * distributions, tier and tenant mixes, routing policies, a profiles file.
 */
public final class Inputs {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Inputs() {}

  /**
   * An input file's text, the directory its relative paths resolve against, and its name without
   * {@code .yaml}, which names what it describes when it does not.
   */
  public record InputFile(String text, Path dir, String stem) {}

  /** Reads {@code file}; an unreadable file is an error naming it. */
  public static InputFile read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
    return new InputFile(
        text, file.toAbsolutePath().getParent(), file.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
  }

  /**
   * The top of a YAML document that must be a mapping; {@code source} names the text in errors and
   * {@code expected} says what the mapping holds.
   */
  public static Field root(String yaml, String source, String expected) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          source + ": not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": (expected: " + expected + ")");
    }
    return new Field("", root);
  }

  /**
   * A workload's rate-driven arrival from its {@code arrival} and {@code burstiness} fields: poisson
   * (the default), constant, or gamma (implied by a burstiness).
   */
  public static Arrival arrival(Field workload, double rate) {
    Field kind = workload.child("arrival");
    Field burstiness = workload.child("burstiness");
    String name = kind.text(burstiness.missing() ? "poisson" : "gamma");
    if (!name.equals("gamma") && !burstiness.missing()) {
      throw burstiness.invalid("burstiness only with arrival: gamma");
    }
    switch (name) {
      case "poisson":
        return new Arrival.Poisson(rate);
      case "constant":
        return new Arrival.Constant(rate);
      case "gamma":
        return new Arrival.Gamma(rate, burstiness.missing() ? 1 : burstiness.positiveDouble("a number > 0"));
      default:
        throw kind.invalid("poisson, gamma or constant");
    }
  }

  /**
   * A length distribution, {@code otherwise} when missing; lengths from a trace are refused with
   * {@code whyNoTrace}, which says where they would be allowed.
   */
  public static LengthSpec length(Field field, LengthSpec otherwise, String whyNoTrace) {
    if (field.missing()) {
      return otherwise;
    }
    LengthSpec spec = LengthSpec.parse(field.text(""), field.path());
    if (spec instanceof LengthSpec.FromTrace) {
      throw field.invalid("a length distribution; " + whyNoTrace);
    }
    return spec;
  }

  /** A workload's {@code tiers} and {@code tenants} mixes, where given, into {@code builder}. */
  public static void mixes(Field workload, WorkloadOptions.Builder builder) {
    Field tiers = workload.child("tiers");
    if (!tiers.missing()) {
      try {
        builder.tiers(mix(tiers).map(ServiceTier::fromWire));
      } catch (IllegalArgumentException e) {
        throw tiers.invalid("NAME: WEIGHT entries with names priority, default, flex or batch");
      }
    }
    if (!workload.child("tenants").missing()) {
      builder.tenants(mix(workload.child("tenants")));
    }
  }

  /** {@code {a: 0.7, b: 0.3}} or {@code "a=0.7,b=0.3"}. */
  public static Mix<String> mix(Field field) {
    String text;
    if (field.json().isObject()) {
      StringBuilder joined = new StringBuilder();
      for (Map.Entry<String, Field> entry : field.entries("a mapping of NAME: WEIGHT").entrySet()) {
        joined.append(joined.length() == 0 ? "" : ",").append(entry.getKey()).append('=')
            .append(entry.getValue().text(""));
      }
      text = joined.toString();
    } else {
      text = field.requiredText("NAME: WEIGHT entries, or NAME=WEIGHT,...");
    }
    try {
      return Mix.parse(text, field.path());
    } catch (IllegalArgumentException e) {
      throw field.invalid("NAME: WEIGHT entries with distinct names and weights >= 0 summing to > 0");
    }
  }

  public static List<String> policies(Field field) {
    String expected = "a list of routing policies from " + RoutingPolicies.names();
    if (field.missing()) {
      throw field.missingField(expected);
    }
    List<Field> elements = field.elements(expected);
    if (elements.isEmpty()) {
      throw field.invalid(expected);
    }
    List<String> policies = new ArrayList<>();
    for (Field element : elements) {
      String policy = policy(element);
      if (policies.contains(policy)) {
        throw element.invalid("each policy once");
      }
      policies.add(policy);
    }
    return policies;
  }

  public static String policy(Field field) {
    String policy = field.requiredText("one of " + RoutingPolicies.names());
    if (!RoutingPolicies.names().contains(policy)) {
      throw field.invalid("one of " + RoutingPolicies.names());
    }
    return policy;
  }

  public static Profiles profiles(Field field, Path baseDir) {
    if (field.missing()) {
      return Profiles.builtIn();
    }
    Path file = baseDir.resolve(field.requiredText("a profiles YAML file"));
    if (!Files.isReadable(file)) {
      throw field.invalid("a readable profiles YAML file");
    }
    try {
      return Profiles.withOverrides(file);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IllegalArgumentException(field.path() + ": " + e.getMessage(), e);
    }
  }
}
