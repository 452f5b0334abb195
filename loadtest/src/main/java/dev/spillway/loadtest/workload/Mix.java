package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A weighted choice among values — models, tenants or tiers. Weights are relative ({@code a=7,b=3} and
 * {@code a=0.7,b=0.3} are the same mix); a value without a weight counts 1. Immutable.
 */
public final class Mix<T> {

  private final List<T> values;
  /** Cumulative normalised weights; the last is 1. */
  private final double[] cumulative;

  private Mix(List<T> values, double[] cumulative) {
    this.values = values;
    this.cumulative = cumulative;
  }

  public static <T> Mix<T> of(T only) {
    requireNonNull(only, "only");
    return new Mix<>(List.of(only), new double[] {1});
  }

  /** A mix of the map's keys in iteration order, weighted by its values. */
  public static <T> Mix<T> of(Map<T, ? extends Number> weights) {
    requireNonNull(weights, "weights");
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("weights: {} (expected: at least one value)");
    }
    List<T> values = new ArrayList<>(weights.size());
    double[] cumulative = new double[weights.size()];
    double total = 0;
    for (Map.Entry<T, ? extends Number> entry : weights.entrySet()) {
      double weight = entry.getValue().doubleValue();
      if (!(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(
            "weight of " + entry.getKey() + ": " + weight + " (expected: a finite number >= 0)");
      }
      total += weight;
      cumulative[values.size()] = total;
      values.add(requireNonNull(entry.getKey(), "value"));
    }
    if (!(total > 0)) {
      throw new IllegalArgumentException("weights: " + weights + " (expected: a positive sum)");
    }
    for (int i = 0; i < cumulative.length; i++) {
      cumulative[i] /= total;
    }
    cumulative[cumulative.length - 1] = 1;
    return new Mix<>(Collections.unmodifiableList(values), cumulative);
  }

  /**
   * Parses {@code a=0.7,b=0.3} (or {@code a,b}: equal weights). Errors name {@code what}, for example
   * {@code --models}.
   */
  public static Mix<String> parse(String text, String what) {
    requireNonNull(text, "text");
    Map<String, Double> weights = new LinkedHashMap<>();
    for (String part : text.split(",", -1)) {
      String item = part.trim();
      int eq = item.indexOf('=');
      String name = (eq < 0 ? item : item.substring(0, eq)).trim();
      double weight = 1;
      if (eq >= 0) {
        try {
          weight = Double.parseDouble(item.substring(eq + 1).trim());
        } catch (NumberFormatException e) {
          weight = Double.NaN;
        }
      }
      if (name.isEmpty() || !(weight >= 0) || Double.isInfinite(weight) || weights.containsKey(name)) {
        throw new IllegalArgumentException(
            what + ": " + text + " (expected: NAME=WEIGHT,NAME=WEIGHT,... with distinct names and weights >= 0)");
      }
      weights.put(name, weight);
    }
    try {
      return of(weights);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + text + " (expected: weights with a positive sum)");
    }
  }

  public <U> Mix<U> map(Function<? super T, ? extends U> mapper) {
    List<U> mapped = new ArrayList<>(values.size());
    for (T value : values) {
      mapped.add(requireNonNull(mapper.apply(value), "mapped value"));
    }
    return new Mix<>(Collections.unmodifiableList(mapped), cumulative);
  }

  /** Draws one value; a single-valued mix draws nothing from {@code random}. */
  public T pick(RandomGenerator random) {
    if (values.size() == 1) {
      return values.get(0);
    }
    double u = random.nextDouble();
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return values.get(i);
      }
    }
    return values.get(values.size() - 1);
  }

  public List<T> values() {
    return values;
  }

  /** Each value's share, in order. */
  public Map<T, Double> shares() {
    Map<T, Double> shares = new LinkedHashMap<>();
    double previous = 0;
    for (int i = 0; i < values.size(); i++) {
      shares.merge(values.get(i), cumulative[i] - previous, Double::sum);
      previous = cumulative[i];
    }
    return shares;
  }

  /** {@code a=0.7,b=0.3}, or the value alone for a single-valued mix. */
  @Override
  public String toString() {
    if (values.size() == 1) {
      return String.valueOf(values.get(0));
    }
    StringBuilder text = new StringBuilder();
    shares().forEach(
        (value, share) ->
            text.append(text.length() == 0 ? "" : ",").append(value).append('=')
                .append(Trace.number(Math.round(share * 1e6) / 1e6)));
    return text.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Mix
        && values.equals(((Mix<?>) other).values)
        && Arrays.equals(cumulative, ((Mix<?>) other).cumulative);
  }

  @Override
  public int hashCode() {
    return values.hashCode() * 31 + Arrays.hashCode(cumulative);
  }
}
