package dev.spillway.backends.calibrate;

import dev.spillway.backends.emulator.Batching;
import dev.spillway.backends.emulator.Efficiency;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.emulator.StackProfile;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fits each (serving stack, accelerator family) group's efficiency factors to the rows of that group,
 * by coordinate descent in log space from the catalog's values. One set of factors per group, never per
 * row: rows of the same stack and family share them.
 *
 * <p>The loss of a group is the mean squared relative error plus half the squared maximum, so that no
 * row is sacrificed to the median.
 */
final class Fitter {

  /** Multiplicative step sizes of the search, coarse to fine. */
  private static final double[] STEPS = {3.0, 1.6, 1.2, 1.06};

  /** No serving stack sustains more than 90% of a dense peak; fractions are kept below it. */
  private static final double MAX_FRACTION = 0.9;

  record Fitted(Profiles profiles, String yaml) {}

  private Fitter() {}

  static Fitted fit(List<Scenario> scenarios, Profiles profiles, PrintStream log) {
    Map<String, List<Scenario>> groups = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      String key = s.deployment().stack().name() + "|" + s.deployment().accelerator().family();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
    }
    Profiles current = profiles;
    StringBuilder yaml = new StringBuilder("# fitted efficiency factors\n");
    for (Map.Entry<String, List<Scenario>> group : groups.entrySet()) {
      String[] key = group.getKey().split("\\|");
      StackProfile stack = current.stack(key[0]);
      String family = key[1];
      double[] best = stack.efficiency(family).toArray();
      boolean[] free = freeParameters(stack.batching(), stack.efficiency(family).hasHost());
      double bestLoss = loss(group.getValue(), current, stack, family, best);
      for (double step : STEPS) {
        boolean improved = true;
        int rounds = 0;
        while (improved && rounds++ < 4) {
          improved = false;
          for (int p = 0; p < best.length; p++) {
            if (!free[p]) {
              continue;
            }
            for (double factor : new double[] {step, 1 / step}) {
              double[] trial = best.clone();
              trial[p] = best[p] == 0 ? (factor > 1 ? 0.001 * step : 0) : best[p] * factor;
              if (p <= 3) {
                trial[p] = Math.min(MAX_FRACTION, trial[p]);
              }
              double l;
              try {
                l = loss(group.getValue(), current, stack, family, trial);
              } catch (IllegalArgumentException e) {
                continue;
              }
              if (l < bestLoss - 1e-9) {
                bestLoss = l;
                best = trial;
                improved = true;
              }
            }
          }
        }
      }
      log.printf(Locale.ROOT, "fit %s/%s: loss %.4f over %d rows%n", key[0], family, bestLoss, group.getValue().size());
      stack = stack.withFamily(family, Efficiency.fromArray(best));
      current = current.withStack(stack);
      yaml.append(key[0]).append('.').append(family).append(": {");
      for (int p = 0; p < best.length; p++) {
        yaml.append(p == 0 ? "" : ", ")
            .append(Efficiency.NAMES[p])
            .append(": ")
            .append(String.format(Locale.ROOT, "%.4g", best[p]));
      }
      yaml.append("}\n");
    }
    return new Fitted(current, yaml.toString());
  }

  /**
   * Which factors the search may move. The host thread's costs move only for stacks whose profile
   * models one: a published row cannot tell a host from the accelerator on its own.
   */
  private static boolean[] freeParameters(Batching batching, boolean host) {
    // mfu, weightMbu, kvMbu, comm, layerMs, perDoubling, layerSeqMs, layerTokenUs, stepMs, prefillMs,
    // admissionMs, waferHopMs, hostRequestMs, hostPromptUs, hostTokenUs
    if (batching == Batching.WAFER) {
      return new boolean[] {
        true, false, false, false, true, false, true, false, false, false, true, true, host, host, host
      };
    }
    return new boolean[] {
      true, true, true, true, true, true, true, true, true, true, false, false, host, host, host
    };
  }

  private static double loss(
      List<Scenario> scenarios, Profiles profiles, StackProfile stack, String family, double[] p) {
    Efficiency e = Efficiency.fromArray(p);
    double sum = 0;
    double max = 0;
    int n = 0;
    List<Scenario> trial = new ArrayList<>(scenarios.size());
    for (Scenario s : scenarios) {
      trial.add(s.withDeployment(s.deployment().withEfficiency(e)));
    }
    for (Calibration.Comparison c : Calibration.run(trial, profiles).comparisons()) {
      double err = c.error();
      if (Double.isNaN(err)) {
        return Double.POSITIVE_INFINITY;
      }
      sum += err * err;
      max = Math.max(max, err);
      n++;
    }
    return n == 0 ? 0 : sum / n + 0.5 * max * max;
  }
}
