package dev.spillway.loadtest.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.report.Axes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a plan's results: {@code plan.json}, {@code plan.md} and two SVG charts. */
public final class PlanReport {

  public static final String PLAN_JSON = "plan.json";
  public static final String PLAN_MD = "plan.md";
  public static final String COST_SVG = "plot-cost-attainment.svg";
  public static final String SHARES_SVG = "plot-pool-share.svg";

  static final String GUARANTEE =
      "the cheapest fleet within the candidates' limits that meets every tier's target under at least one"
          + " policy, provided attainment never falls when a replica is added: every cheaper fleet was"
          + " simulated under every policy, or has no more of any candidate than one that missed";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PlanReport() {}

  /** Writes every file into {@code dir}, created if needed. */
  public static void write(Path dir, PlanResult result) throws IOException {
    Files.createDirectories(dir);
    JSON.writeValue(dir.resolve(PLAN_JSON).toFile(), json(result));
    Files.writeString(dir.resolve(PLAN_MD), markdown(result));
    Files.writeString(dir.resolve(COST_SVG), PlanCharts.costAgainstAttainment(result));
    Choice shown = result.best() != null ? result.best() : result.bestSingle();
    if (shown != null) {
      Files.writeString(dir.resolve(SHARES_SVG), PlanCharts.poolShares(shown));
    } else {
      Files.deleteIfExists(dir.resolve(SHARES_SVG));
    }
  }

  static Map<String, Object> json(PlanResult result) {
    PlanSpec spec = result.spec();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("name", spec.name());
    root.put("source", spec.source());
    root.put("model", spec.model().name());
    root.put("workload", spec.workloadSource());
    root.put("arrival", spec.workload().arrival().describe());
    root.put("pricing", spec.pricing().wireName());
    Map<String, Object> slo = new LinkedHashMap<>();
    for (ServiceTier tier : spec.tiers()) {
      TierGoal goal = spec.slo().get(tier);
      Map<String, Object> g = new LinkedHashMap<>();
      if (goal.goals().ttft() != null) {
        g.put("ttft_s", goal.goals().ttft().toNanos() / 1e9);
      }
      if (goal.goals().tpot() != null) {
        g.put("tpot_s", goal.goals().tpot().toNanos() / 1e9);
      }
      if (goal.goals().e2e() != null) {
        g.put("e2e_s", goal.goals().e2e().toNanos() / 1e9);
      }
      g.put("attainment", goal.attainment());
      slo.put(tier.wireName(), g);
    }
    root.put("slo", slo);
    root.put("policies", spec.policies());
    List<Object> candidates = new ArrayList<>();
    for (int i = 0; i < spec.candidates().size(); i++) {
      Candidate c = spec.candidates().get(i);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("pool", c.name());
      m.put("accelerator", c.accelerator());
      m.put("description", c.description());
      m.put("replica_cost_per_hour_usd", c.replicaCostPerHour());
      m.put("max_replicas", spec.limit(i));
      candidates.add(m);
    }
    root.put("candidates", candidates);
    root.put("best", choice(result.best(), spec));
    root.put("best_single", choice(result.bestSingle(), spec));
    List<Object> singles = new ArrayList<>();
    for (int i = 0; i < result.accelerators().size(); i++) {
      Map<String, Object> single = new LinkedHashMap<>();
      single.put("accelerator", result.accelerators().get(i));
      Choice choice = result.singles().get(i);
      if (choice == null) {
        single.put("meets_slo", false);
        single.put("reason", "no fleet of it within its limits meets every tier's target");
      } else {
        single.putAll(choice(choice, spec));
      }
      singles.add(single);
    }
    root.put("singles", singles);
    root.put("saving", Double.isNaN(result.saving()) ? null : result.saving());
    if (spec.burst() != null) {
      root.put("burst", burst(result));
    }
    Map<String, Object> search = new LinkedHashMap<>();
    search.put("guarantee", GUARANTEE);
    search.put("fleets_simulated", result.evaluations().size());
    search.put("simulations", result.simulations());
    search.put("fleets_skipped_below_a_miss", result.skipped());
    search.put("monotonicity_violations", result.monotonicityViolations());
    search.put("wall_seconds", result.wallSeconds());
    root.put("search", search);
    List<Object> tried = new ArrayList<>();
    for (Evaluation e : result.evaluations()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("fleet", e.composition().fleet(spec.candidates()));
      m.put("fleet_cost_per_hour_usd", e.costPerHour());
      m.put("meets_slo", e.meets());
      List<Object> policies = new ArrayList<>();
      for (Trial t : e.trials()) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("policy", t.policy());
        p.put("meets_slo", t.meets());
        p.put("slo_attainment", attainment(t, spec));
        policies.add(p);
      }
      m.put("policies", policies);
      tried.add(m);
    }
    root.put("tried", tried);
    return root;
  }

  private static Map<String, Object> burst(PlanResult result) {
    PlanSpec spec = result.spec();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("base_pricing", spec.burst().basePricing().wireName());
    m.put("burst_pricing", spec.burst().burstPricing().wireName());
    m.put("metric", spec.burst().metric().wireName());
    m.put("target", spec.burst().target());
    m.put("best_fixed_at_base_pricing_usd_per_hour",
        Double.isNaN(result.bestFixedAtBasePricing()) ? null : result.bestFixedAtBasePricing());
    BurstTrial best = result.bestBurst();
    m.put("best", best == null ? null : burstTrial(best, spec));
    List<Object> tried = new ArrayList<>();
    result.burstTrials().forEach(t -> tried.add(burstTrial(t, spec)));
    m.put("tried", tried);
    return m;
  }

  private static Map<String, Object> burstTrial(BurstTrial t, PlanSpec spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("base", t.base().fleet(spec.candidates()));
    m.put("max", t.trial().composition().fleet(spec.candidates()));
    m.put("policy", t.trial().policy());
    m.put("mean_cost_per_hour_usd", t.trial().costPerHour());
    m.put("base_cost_per_hour_usd", t.baseCostPerHour());
    m.put("burst_cost_per_hour_usd", t.burstCostPerHour());
    m.put("burst_replica_hours", t.burstReplicaHours());
    m.put("cost_per_1m_output_tokens_usd", t.trial().costPerMillionOutputTokens());
    m.put("slo_attainment", attainment(t.trial(), spec));
    m.put("meets_slo", t.trial().meets());
    return m;
  }

  private static Map<String, Object> choice(Choice choice, PlanSpec spec) {
    if (choice == null) {
      return null;
    }
    Trial t = choice.verified();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("fleet", choice.composition().fleet(spec.candidates()));
    m.put("policy", t.policy());
    m.put("fleet_cost_per_hour_usd", t.costPerHour());
    m.put("cost_per_1m_output_tokens_usd", t.costPerMillionOutputTokens());
    m.put("slo_attainment", attainment(t, spec));
    m.put("meets_slo", t.meets());
    m.put("requests", t.requests());
    m.put("output_tokens", t.outputTokens());
    m.put("simulated_seconds", t.durationSeconds());
    Map<String, Object> errors = new LinkedHashMap<>();
    choice.predictionErrors().forEach((pool, e) -> {
      Map<String, Object> pe = new LinkedHashMap<>();
      pe.put("ttft_samples", e.ttftSamples());
      pe.put("ttft_median_abs_error", finite(e.ttftMedianAbsError()));
      pe.put("ttft_median_bias", finite(e.ttftMedianBias()));
      pe.put("tpot_samples", e.tpotSamples());
      pe.put("tpot_median_abs_error", finite(e.tpotMedianAbsError()));
      pe.put("tpot_median_bias", finite(e.tpotMedianBias()));
      errors.put(pool, pe);
    });
    m.put("prediction_error", errors);
    return m;
  }

  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static Map<String, Object> attainment(Trial trial, PlanSpec spec) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (ServiceTier tier : spec.tiers()) {
      m.put(tier.wireName(), trial.attainment().get(tier));
    }
    return m;
  }

  /** The plan as Markdown: the answer, the fleet of each accelerator alone, and how the search went. */
  public static String markdown(PlanResult result) {
    PlanSpec spec = result.spec();
    StringBuilder md = new StringBuilder();
    md.append("# Plan: ").append(spec.name()).append("\n\n");
    md.append(String.format(Locale.ROOT, "Model `%s`, workload %s (%s), %s prices. Goals:",
        spec.model().name(), spec.workloadSource(), spec.workload().arrival().describe(), spec.pricing()));
    for (ServiceTier tier : spec.tiers()) {
      md.append(' ').append(tier.wireName()).append(' ').append(goal(spec.slo().get(tier))).append(';');
    }
    md.setLength(md.length() - 1);
    md.append(".\n\n");
    md.append("| fleet | pools | policy | $/hour | $/1M output tokens |");
    spec.tiers().forEach(t -> md.append(' ').append(t.wireName()).append(" |"));
    md.append(" meets |\n|---|---|---|---:|---:|");
    spec.tiers().forEach(t -> md.append("---:|"));
    md.append("---|\n");
    row(md, "**best**", result.best(), spec);
    for (int i = 0; i < result.accelerators().size(); i++) {
      row(md, result.accelerators().get(i) + " only", result.singles().get(i), spec);
    }
    md.append('\n');
    if (result.best() == null) {
      md.append("No fleet within the candidates' limits meets every tier's target.\n");
    } else if (Double.isNaN(result.saving())) {
      md.append("Only a mix meets every target: no single accelerator does within its limits.\n");
    } else if (result.saving() <= 0) {
      md.append(String.format(Locale.ROOT,
          "The best fleet is a single accelerator's (%s): mixing saves nothing here.%n",
          result.bestSingle().composition().describe(spec.candidates())));
    } else {
      md.append(String.format(Locale.ROOT, "The mix saves %.1f%% against the cheapest single-accelerator fleet.%n",
          result.saving() * 100));
    }
    if (result.best() != null && !result.best().predictionErrors().isEmpty()) {
      md.append("\nRouting's predictions against outcomes in the best fleet's verification run (median |error|,"
          + " relative):");
      result.best().predictionErrors().forEach((pool, e) -> md.append(String.format(Locale.ROOT,
          " %s TTFT %.1f%%, TPOT %.1f%%;", pool, e.ttftMedianAbsError() * 100, e.tpotMedianAbsError() * 100)));
      md.setLength(md.length() - 1);
      md.append(".\n");
    }
    if (spec.burst() != null && result.best() != null) {
      md.append(burstMarkdown(result));
    }
    md.append(String.format(Locale.ROOT,
        "%nSearch: %d fleets simulated (%d simulations of the whole workload), %d skipped below a fleet that"
            + " missed, %d monotonicity violations, %.1f s. It finds %s.%n",
        result.evaluations().size(), result.simulations(), result.skipped(), result.monotonicityViolations(),
        result.wallSeconds(), GUARANTEE));
    md.append("\nEvery figure in the table is from a verification run of the whole workload; everything is a"
        + " simulation over the emulator's fitted latency model and the profiles' prices.\n");
    return md.toString();
  }

  private static String burstMarkdown(PlanResult result) {
    PlanSpec spec = result.spec();
    Burst burst = spec.burst();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT,
        "%nA reserved base plus an autoscaled burst (%s target %s, base %s, burst %s): the best fleet paid"
            + " entirely %s costs $%.2f/h",
        burst.metric().wireName(), Axes.label(burst.target()), burst.basePricing().wireName(),
        burst.burstPricing().wireName(), burst.basePricing().wireName(), result.bestFixedAtBasePricing()));
    BurstTrial best = result.bestBurst();
    if (result.burstTrials().isEmpty()) {
      md.append("; the fleet has too many replicas to weigh base by base.\n");
    } else if (best == null) {
      md.append("; no smaller base with a burst up to it meets every target.\n");
    } else {
      md.append(String.format(Locale.ROOT,
          "; the cheapest base that meets every target is %s scaling up to %s: $%.2f/h on average ($%.2f base,"
              + " $%.2f burst, %.1f burst replica-hours), %s than the fixed fleet at %s prices.%n",
          best.base().describe(spec.candidates()), best.trial().composition().describe(spec.candidates()),
          best.trial().costPerHour(), best.baseCostPerHour(), best.burstCostPerHour(), best.burstReplicaHours(),
          best.trial().costPerHour() < result.bestFixedAtBasePricing() ? "cheaper" : "no cheaper",
          burst.basePricing().wireName()));
    }
    return md.toString();
  }

  private static void row(StringBuilder md, String label, Choice choice, PlanSpec spec) {
    if (choice == null) {
      md.append("| ").append(label).append(" | none within the limits | | | |");
      spec.tiers().forEach(t -> md.append(" |"));
      md.append(" no |\n");
      return;
    }
    Trial t = choice.verified();
    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f |", label,
        choice.composition().describe(spec.candidates()), t.policy(), t.costPerHour(),
        t.costPerMillionOutputTokens()));
    for (ServiceTier tier : spec.tiers()) {
      md.append(String.format(Locale.ROOT, " %.4f |", t.attainment().get(tier)));
    }
    md.append(t.meets() ? " yes |\n" : " **no** |\n");
  }

  private static String goal(TierGoal goal) {
    List<String> parts = new ArrayList<>();
    if (goal.goals().ttft() != null) {
      parts.add("TTFT ≤ " + seconds(goal.goals().ttft().toNanos()));
    }
    if (goal.goals().tpot() != null) {
      parts.add("TPOT ≤ " + seconds(goal.goals().tpot().toNanos()));
    }
    if (goal.goals().e2e() != null) {
      parts.add("E2E ≤ " + seconds(goal.goals().e2e().toNanos()));
    }
    return String.join(", ", parts) + String.format(Locale.ROOT, " for %s%% of requests",
        Axes.label(goal.attainment() * 100));
  }

  private static String seconds(long nanos) {
    return nanos < 1_000_000_000L ? Axes.label(nanos / 1e6) + " ms" : Axes.label(nanos / 1e9) + " s";
  }
}
