package dev.spillway.loadtest.yaml;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import dev.spillway.loadtest.workload.Mix;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Values that several input files share: weighted mixes, routing policies, a profiles file. */
public final class Inputs {

  private Inputs() {}

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
