package dev.spillway.backends.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.spillway.backends.spi.ServiceTier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The catalog of chips, accelerators, models, serving stacks and list prices. The built-in catalog is
 * YAML on the class path ({@code profiles.yaml}); a user file with the same sections overrides entries
 * field by field (matched by {@code name}) and adds new ones.
 */
public final class Profiles {

  static final String RESOURCE = "/dev/spillway/backends/emulator/profiles.yaml";

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .build();

  private final Map<String, ChipSpec> chips;
  private final Map<String, AcceleratorProfile> accelerators;
  private final Map<String, ModelProfile> models;
  private final Map<String, StackProfile> stacks;
  private final PriceList prices;

  private Profiles(
      Map<String, ChipSpec> chips,
      Map<String, AcceleratorProfile> accelerators,
      Map<String, ModelProfile> models,
      Map<String, StackProfile> stacks,
      PriceList prices) {
    this.chips = chips;
    this.accelerators = accelerators;
    this.models = models;
    this.stacks = stacks;
    this.prices = prices;
  }

  private static volatile Profiles builtIn;

  /** The built-in catalog. */
  public static Profiles builtIn() {
    Profiles profiles = builtIn;
    if (profiles == null) {
      profiles = load(builtInTree());
      builtIn = profiles;
    }
    return profiles;
  }

  /** The built-in catalog with {@code userFile} laid over it. */
  public static Profiles withOverrides(Path userFile) {
    try {
      JsonNode user = YAML.readTree(Files.readAllBytes(userFile));
      if (user == null || !user.isObject()) {
        throw new IllegalArgumentException(userFile + ": (expected: a YAML mapping of profile sections)");
      }
      ObjectNode merged = builtInTree();
      overlay(merged, (ObjectNode) user);
      return load(merged);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read profiles " + userFile, e);
    }
  }

  private static ObjectNode builtInTree() {
    try (InputStream in = Profiles.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Section by section: entries with a known name are merged field by field, others appended. */
  private static void overlay(ObjectNode base, ObjectNode user) {
    Iterator<Map.Entry<String, JsonNode>> sections = user.fields();
    while (sections.hasNext()) {
      Map.Entry<String, JsonNode> section = sections.next();
      JsonNode existing = base.get(section.getKey());
      if (existing instanceof ArrayNode && section.getValue() instanceof ArrayNode) {
        for (JsonNode entry : section.getValue()) {
          ObjectNode match = findByName((ArrayNode) existing, entry.path("name").asText(null));
          if (match == null) {
            ((ArrayNode) existing).add(entry);
          } else {
            deepMerge(match, (ObjectNode) entry);
          }
        }
      } else if (existing instanceof ObjectNode && section.getValue() instanceof ObjectNode) {
        deepMerge((ObjectNode) existing, (ObjectNode) section.getValue());
      } else if (existing == null) {
        base.set(section.getKey(), section.getValue());
      } else {
        throw new IllegalArgumentException(
            section.getKey() + ": " + section.getValue().getNodeType() + " (expected: "
                + existing.getNodeType() + ")");
      }
    }
  }

  private static ObjectNode findByName(ArrayNode array, String name) {
    if (name == null) {
      throw new IllegalArgumentException("profile entry without a name: (expected: name: ...)");
    }
    for (JsonNode node : array) {
      if (name.equals(node.path("name").asText(null))) {
        return (ObjectNode) node;
      }
    }
    return null;
  }

  private static void deepMerge(ObjectNode base, ObjectNode user) {
    Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = base.get(field.getKey());
      if ("plans".equals(field.getKey())
          && existing instanceof ObjectNode
          && field.getValue() instanceof ObjectNode) {
        // A plan's price is a figure or a rule, never a mix of the two: a user's plan replaces it whole.
        ((ObjectNode) existing).setAll((ObjectNode) field.getValue());
      } else if (existing instanceof ObjectNode && field.getValue() instanceof ObjectNode) {
        deepMerge((ObjectNode) existing, (ObjectNode) field.getValue());
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
  }

  /** The accelerator entry as written: its chip by name. */
  private record AcceleratorEntry(
      String name,
      String family,
      String chip,
      int chips,
      Integer coresPerChip,
      double pricePerHour,
      String priceSource,
      String priceDate,
      Map<String, PlanEntry> plans,
      String provisioningDelay,
      String provisioningSource,
      String stack,
      Boolean derived,
      String note) {}

  /** A plan's price as written: a figure ({@code pricePerHour}) or a rule ({@code ofOnDemand}). */
  private record PlanEntry(Double pricePerHour, Double ofOnDemand, String source, String date) {}

  /** When a profile names no provisioning delay (an accelerator added by a user file). */
  static final Duration DEFAULT_PROVISIONING_DELAY = Duration.ofMinutes(5);

  private record PricesEntry(
      Map<String, Double> tiers, Map<String, PriceList.ModelPrice> models) {}

  private static Profiles load(ObjectNode tree) {
    try {
      Map<String, ChipSpec> chips = new LinkedHashMap<>();
      for (JsonNode node : tree.withArray("chips")) {
        ChipSpec chip = YAML.treeToValue(node, ChipSpec.class);
        chips.put(chip.name(), chip);
      }
      Map<String, AcceleratorProfile> accelerators = new LinkedHashMap<>();
      for (JsonNode node : tree.withArray("accelerators")) {
        AcceleratorEntry entry = YAML.treeToValue(node, AcceleratorEntry.class);
        ChipSpec chip = chips.get(entry.chip());
        if (chip == null) {
          throw new IllegalArgumentException(
              entry.name() + ".chip: " + entry.chip() + " (expected one of: " + chips.keySet() + ")");
        }
        Duration provisioning = DEFAULT_PROVISIONING_DELAY;
        String provisioningSource =
            "ASSUMPTION: the profile names no provisioningDelay; 5 minutes";
        if (entry.provisioningDelay() != null) {
          provisioning = duration(entry.name() + ".provisioningDelay", entry.provisioningDelay());
          provisioningSource = entry.provisioningSource();
        }
        accelerators.put(
            entry.name(),
            new AcceleratorProfile(
                entry.name(), entry.family(), chip, entry.chips(),
                entry.coresPerChip() == null ? 1 : entry.coresPerChip(), entry.pricePerHour(),
                entry.priceSource(), entry.priceDate(), plans(entry), provisioning,
                provisioningSource, entry.stack(), Boolean.TRUE.equals(entry.derived()),
                entry.note()));
      }
      Map<String, ModelProfile> models = new LinkedHashMap<>();
      for (JsonNode node : tree.withArray("models")) {
        ModelProfile model = YAML.treeToValue(node, ModelProfile.class);
        models.put(model.name(), model);
      }
      Map<String, StackProfile> stacks = new LinkedHashMap<>();
      for (JsonNode node : tree.withArray("stacks")) {
        StackProfile stack = YAML.treeToValue(node, StackProfile.class);
        stacks.put(stack.name(), stack);
      }
      for (AcceleratorProfile accelerator : accelerators.values()) {
        StackProfile stack = stacks.get(accelerator.stack());
        if (stack == null) {
          throw new IllegalArgumentException(
              accelerator.name() + ".stack: " + accelerator.stack() + " (expected one of: "
                  + stacks.keySet() + ")");
        }
        stack.efficiency(accelerator.family());
      }
      PricesEntry pricesEntry = YAML.treeToValue(tree.path("prices"), PricesEntry.class);
      Map<ServiceTier, Double> tiers = new EnumMap<>(ServiceTier.class);
      pricesEntry.tiers().forEach((tier, multiplier) -> tiers.put(ServiceTier.fromWire(tier), multiplier));
      PriceList prices = new PriceList(pricesEntry.models(), tiers);
      return new Profiles(chips, accelerators, models, stacks, prices);
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid profiles: " + e.getMessage(), e);
    }
  }

  private static Map<PricingPlan, PlanPrice> plans(AcceleratorEntry entry) {
    Map<PricingPlan, PlanPrice> plans = new EnumMap<>(PricingPlan.class);
    if (entry.plans() == null) {
      return plans;
    }
    for (Map.Entry<String, PlanEntry> written : entry.plans().entrySet()) {
      String field = entry.name() + ".plans." + written.getKey();
      PricingPlan plan;
      try {
        plan = PricingPlan.parse(written.getKey());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            field + ": (expected one of: " + PricingPlan.wireNames() + ")", e);
      }
      if (plan == PricingPlan.ON_DEMAND) {
        throw new IllegalArgumentException(
            field + ": (expected: the on-demand price in pricePerHour, priceSource and priceDate)");
      }
      PlanEntry p = written.getValue();
      if (p == null) {
        throw new IllegalArgumentException(
            field + ": null (expected: {pricePerHour or ofOnDemand, source, date})");
      }
      try {
        plans.put(
            plan,
            new PlanPrice(
                p.pricePerHour() == null ? Double.NaN : p.pricePerHour(),
                p.ofOnDemand() == null ? Double.NaN : p.ofOnDemand(),
                p.source() == null ? "" : p.source(),
                p.date() == null ? "" : p.date()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + "." + e.getMessage(), e);
      }
    }
    return plans;
  }

  /** {@code 90s}, {@code 5m}, {@code 1h}, {@code 500ms}: a non-negative amount and a unit. */
  static Duration duration(String field, String text) {
    String t = text.trim();
    long nanosPerUnit;
    String number;
    if (t.endsWith("ms")) {
      nanosPerUnit = 1_000_000L;
      number = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      nanosPerUnit = 1_000_000_000L;
      number = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      nanosPerUnit = 60_000_000_000L;
      number = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      nanosPerUnit = 3_600_000_000_000L;
      number = t.substring(0, t.length() - 1);
    } else {
      throw new IllegalArgumentException(
          field + ": " + text + " (expected: a duration such as 90s, 5m or 1h)");
    }
    double amount;
    try {
      amount = Double.parseDouble(number.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          field + ": " + text + " (expected: a duration such as 90s, 5m or 1h)", e);
    }
    if (!(amount >= 0) || Double.isInfinite(amount)) {
      throw new IllegalArgumentException(
          field + ": " + text + " (expected: a duration >= 0 such as 90s, 5m or 1h)");
    }
    return Duration.ofNanos(Math.round(amount * nanosPerUnit));
  }

  public AcceleratorProfile accelerator(String name) {
    AcceleratorProfile profile = accelerators.get(name);
    if (profile == null) {
      throw new IllegalArgumentException(
          "accelerator: " + name + " (expected one of: " + accelerators.keySet() + ")");
    }
    return profile;
  }

  /** The model named {@code name} or one of its aliases. */
  public ModelProfile model(String name) {
    ModelProfile direct = models.get(name);
    if (direct != null) {
      return direct;
    }
    for (ModelProfile model : models.values()) {
      if (model.matches(name)) {
        return model;
      }
    }
    throw new IllegalArgumentException("model: " + name + " (expected one of: " + models.keySet() + ")");
  }

  public StackProfile stack(String name) {
    StackProfile stack = stacks.get(name);
    if (stack == null) {
      throw new IllegalArgumentException("stack: " + name + " (expected one of: " + stacks.keySet() + ")");
    }
    return stack;
  }

  public ChipSpec chip(String name) {
    ChipSpec chip = chips.get(name);
    if (chip == null) {
      throw new IllegalArgumentException("chip: " + name + " (expected one of: " + chips.keySet() + ")");
    }
    return chip;
  }

  public Collection<AcceleratorProfile> accelerators() {
    return accelerators.values();
  }

  public Collection<ModelProfile> models() {
    return models.values();
  }

  public Collection<StackProfile> stacks() {
    return stacks.values();
  }

  public Collection<ChipSpec> chips() {
    return chips.values();
  }

  public PriceList prices() {
    return prices;
  }

  /** The first stack (in catalog order) whose {@code match} strings occur in {@code system}. */
  public StackProfile stackForSystem(String system) {
    for (StackProfile stack : stacks.values()) {
      if (stack.matchesSystem(system)) {
        return stack;
      }
    }
    throw new IllegalArgumentException(
        "system: " + system + " (expected: a serving stack named in the profiles' stacks.match)");
  }

  /** A copy of this catalog with {@code stack} replaced: for fitting. */
  public Profiles withStack(StackProfile stack) {
    Map<String, StackProfile> copy = new LinkedHashMap<>(stacks);
    copy.put(stack.name(), stack);
    return new Profiles(chips, accelerators, models, copy, prices);
  }

  /** Model names lower-cased, with an {@code -instruct} suffix and spacing differences removed. */
  static String normalizeModel(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-').replace(' ', '-');
    int slash = n.lastIndexOf('/');
    if (slash >= 0) {
      n = n.substring(slash + 1);
    }
    if (n.endsWith("-instruct")) {
      n = n.substring(0, n.length() - "-instruct".length());
    }
    return n;
  }

  static void positive(String field, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: > 0)");
    }
  }

  static void nonNegative(String field, double value) {
    if (!(value >= 0)) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: >= 0)");
    }
  }

  static void fraction(String field, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: > 0 and <= 1)");
    }
  }

  /** Names of all accelerators, for messages. */
  public List<String> acceleratorNames() {
    return new ArrayList<>(accelerators.keySet());
  }
}
