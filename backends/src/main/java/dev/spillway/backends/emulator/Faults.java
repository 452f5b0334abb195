package dev.spillway.backends.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Faults an emulated replica injects, to rehearse failures: configured per pool ({@code faults:}),
 * replaced at run time through {@code /admin/pools/{pool}/faults}, or given to {@code serve} by flag.
 * Each replica draws from its own random source seeded from {@code seed} and its id, so a run on a
 * virtual clock is repeatable.
 *
 * @param errorRate probability a request fails before its first token with a backend error
 * @param latencySpike probability and extra delay before a request's first token
 * @param stall probability a stream stops for the duration halfway through its output tokens
 * @param disconnect probability a stream ends with an error halfway through its output tokens
 * @param slowStart extra first-token delay for the first requests after a (re)start
 * @param crash when the replica crashes and how long it stays down, if it does
 * @param seed of the random draws
 */
public record Faults(
    double errorRate,
    Chance latencySpike,
    Chance stall,
    double disconnect,
    SlowStart slowStart,
    Optional<Crash> crash,
    long seed) {

  /** No faults. */
  public static final Faults NONE =
      new Faults(0, Chance.NEVER, Chance.NEVER, 0, SlowStart.NONE, Optional.empty(), 0);

  private static final Set<String> FIELDS =
      Set.of("errorRate", "latencySpike", "stall", "disconnect", "slowStart", "crash", "seed");

  public Faults {
    requireNonNull(latencySpike, "latencySpike");
    requireNonNull(stall, "stall");
    requireNonNull(slowStart, "slowStart");
    requireNonNull(crash, "crash");
    probability("errorRate", errorRate);
    probability("disconnect", disconnect);
  }

  public boolean none() {
    return errorRate == 0 && latencySpike.never() && stall.never() && disconnect == 0
        && slowStart.none() && crash.isEmpty();
  }

  public Faults withErrorRate(double rate) {
    return new Faults(rate, latencySpike, stall, disconnect, slowStart, crash, seed);
  }

  public Faults withLatencySpike(Chance spike) {
    return new Faults(errorRate, spike, stall, disconnect, slowStart, crash, seed);
  }

  public Faults withStall(Chance s) {
    return new Faults(errorRate, latencySpike, s, disconnect, slowStart, crash, seed);
  }

  public Faults withDisconnect(double p) {
    return new Faults(errorRate, latencySpike, stall, p, slowStart, crash, seed);
  }

  public Faults withSlowStart(SlowStart s) {
    return new Faults(errorRate, latencySpike, stall, disconnect, s, crash, seed);
  }

  public Faults withCrash(Crash c) {
    return new Faults(errorRate, latencySpike, stall, disconnect, slowStart, Optional.of(c), seed);
  }

  public Faults withSeed(long s) {
    return new Faults(errorRate, latencySpike, stall, disconnect, slowStart, crash, s);
  }

  /**
   * Reads faults from configuration or a JSON body: {@code errorRate}, {@code disconnect} (0 to 1),
   * {@code latencySpike} and {@code stall} ({@code probability}, {@code duration}), {@code slowStart}
   * ({@code requests}, {@code delay}), {@code crash} ({@code after}, {@code recoverAfter}) and
   * {@code seed}. Durations are a number of seconds or text such as {@code 500ms} or {@code 2s}.
   * Errors name the field under {@code path}.
   */
  public static Faults parse(String path, Map<String, ?> map) {
    requireNonNull(map, path);
    for (String key : map.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new IllegalArgumentException(
            path + "." + key + ": unknown field (expected: one of " + String.join(", ", sorted()) + ")");
      }
    }
    Faults f = NONE;
    if (map.containsKey("errorRate")) {
      f = f.withErrorRate(probabilityOf(path + ".errorRate", map.get("errorRate")));
    }
    if (map.containsKey("disconnect")) {
      f = f.withDisconnect(probabilityOf(path + ".disconnect", map.get("disconnect")));
    }
    if (map.containsKey("latencySpike")) {
      f = f.withLatencySpike(chance(path + ".latencySpike", map.get("latencySpike")));
    }
    if (map.containsKey("stall")) {
      f = f.withStall(chance(path + ".stall", map.get("stall")));
    }
    if (map.containsKey("slowStart")) {
      Map<String, ?> s = object(path + ".slowStart", map.get("slowStart"), Set.of("requests", "delay"));
      long requests = integer(path + ".slowStart.requests", s.get("requests"));
      if (requests < 0 || requests > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            path + ".slowStart.requests: " + requests + " (expected: >= 0)");
      }
      f = f.withSlowStart(new SlowStart((int) requests, duration(path + ".slowStart.delay", s.get("delay"))));
    }
    if (map.containsKey("crash")) {
      Map<String, ?> c = object(path + ".crash", map.get("crash"), Set.of("after", "recoverAfter"));
      f = f.withCrash(
          new Crash(duration(path + ".crash.after", c.get("after")),
              duration(path + ".crash.recoverAfter", c.get("recoverAfter"))));
    }
    if (map.containsKey("seed")) {
      f = f.withSeed(integer(path + ".seed", map.get("seed")));
    }
    return f;
  }

  /** The fields {@link #parse} reads, with durations in seconds: for JSON answers. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("errorRate", errorRate);
    out.put("latencySpike", Map.of("probability", latencySpike.probability(), "duration", seconds(latencySpike.duration())));
    out.put("stall", Map.of("probability", stall.probability(), "duration", seconds(stall.duration())));
    out.put("disconnect", disconnect);
    out.put("slowStart", Map.of("requests", slowStart.requests(), "delay", seconds(slowStart.delay())));
    crash.ifPresent(
        c -> out.put("crash", Map.of("after", seconds(c.after()), "recoverAfter", seconds(c.recoverAfter()))));
    out.put("seed", seed);
    return out;
  }

  /** {@code 500ms}, {@code 2s}, {@code 1m}: an amount and its unit; errors name {@code field}. */
  public static Duration duration(String field, String text) {
    return Profiles.duration(field, text);
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static List<String> sorted() {
    return FIELDS.stream().sorted().toList();
  }

  private static void probability(String field, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(field + ": " + p + " (expected: from 0 to 1)");
    }
  }

  private static double probabilityOf(String field, Object value) {
    if (!(value instanceof Number)) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: a number from 0 to 1)");
    }
    double p = ((Number) value).doubleValue();
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: from 0 to 1)");
    }
    return p;
  }

  private static Chance chance(String field, Object value) {
    Map<String, ?> m = object(field, value, Set.of("probability", "duration"));
    return new Chance(
        probabilityOf(field + ".probability", m.get("probability")),
        duration(field + ".duration", m.get("duration")));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> object(String field, Object value, Set<String> fields) {
    if (!(value instanceof Map)) {
      throw new IllegalArgumentException(
          field + ": " + value + " (expected: an object with " + fields.stream().sorted().toList() + ")");
    }
    Map<String, ?> m = (Map<String, ?>) value;
    for (String key : m.keySet()) {
      if (!fields.contains(key)) {
        throw new IllegalArgumentException(
            field + "." + key + ": unknown field (expected: one of " + fields.stream().sorted().toList() + ")");
      }
    }
    for (String key : fields) {
      if (m.get(key) == null) {
        throw new IllegalArgumentException(field + "." + key + ": missing (expected: a value)");
      }
    }
    return m;
  }

  private static long integer(String field, Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw new IllegalArgumentException(field + ": " + value + " (expected: an integer)");
  }

  /** A number of seconds, or text such as {@code 500ms} or {@code 2s}; errors name {@code field}. */
  public static Duration duration(String field, Object value) {
    if (value instanceof Number) {
      double s = ((Number) value).doubleValue();
      if (!(s >= 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException(field + ": " + value + " (expected: seconds >= 0)");
      }
      return Duration.ofNanos(Math.round(s * 1e9));
    }
    if (value instanceof String) {
      return Profiles.duration(field, (String) value);
    }
    throw new IllegalArgumentException(field + ": " + value + " (expected: a duration such as 2s or 500ms)");
  }
}
