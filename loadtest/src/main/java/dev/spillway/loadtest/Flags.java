package dev.spillway.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed command line: {@code --name value}, {@code --name=value} and boolean {@code --name}, checked
 * against the command's declared flags. Typed getters fail with one message format:
 * {@code --rate: abc (expected: a number > 0)}. Shared by every command.
 */
public final class Flags {

  /**
   * One flag a command accepts.
   *
   * @param value the placeholder of its value ({@code R}, {@code SPEC}); null for a boolean flag
   */
  public record Flag(String name, String value, String help) {

    public static Flag valued(String name, String value, String help) {
      return new Flag(name, value, help);
    }

    public static Flag bool(String name, String help) {
      return new Flag(name, null, help);
    }

    boolean takesValue() {
      return value != null;
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /** Parses {@code args} against {@code accepted}; unknown flags, stray words and repeats are errors. */
  public static Flags parse(List<String> args, List<Flag> accepted) throws UsageException {
    Map<String, Flag> known = new LinkedHashMap<>();
    for (Flag flag : accepted) {
      known.put(flag.name(), flag);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument: " + arg + " (expected: a flag such as --url)");
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      Flag flag = known.get(name);
      if (flag == null) {
        throw new UsageException("unknown flag: --" + name + " (see --help for the flags)");
      }
      String value;
      if (!flag.takesValue()) {
        if (eq >= 0) {
          throw new UsageException("--" + name + ": takes no value (expected: --" + name + " alone)");
        }
        value = "true";
      } else if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
        value = args.get(++i);
      } else {
        throw new UsageException("--" + name + ": missing value (expected: --" + name + " " + flag.value() + ")");
      }
      if (values.put(name, value) != null) {
        throw new UsageException("--" + name + ": given twice (expected: once)");
      }
    }
    return new Flags(values);
  }

  /** A command line of one operand (a file) among flags: the operand, or null, and the flags. */
  public record Positional(String operand, Flags flags) {}

  /**
   * Parses a command line of flags and at most one operand, such as {@code FILE.yaml --out DIR}; a
   * second operand is an error naming {@code usage}.
   */
  public static Positional parseWithOperand(List<String> args, List<Flag> accepted, String usage)
      throws UsageException {
    Operands parsed = parseWithOperands(args, accepted);
    if (parsed.operands().size() > 1) {
      throw new UsageException(
          "unexpected argument: " + parsed.operands().get(1) + " (expected: " + usage + ")");
    }
    return new Positional(parsed.operands().isEmpty() ? null : parsed.operands().get(0), parsed.flags());
  }

  /** A command line of operands (such as directories) among flags. */
  public record Operands(List<String> operands, Flags flags) {}

  /** Parses a command line of flags and any number of operands, in the order given. */
  public static Operands parseWithOperands(List<String> args, List<Flag> accepted) throws UsageException {
    List<String> flagArgs = new ArrayList<>();
    List<String> operands = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      boolean value = i > 0 && takesValue(args.get(i - 1), accepted);
      if (!arg.startsWith("--") && !value) {
        operands.add(arg);
      } else {
        flagArgs.add(arg);
      }
    }
    return new Operands(List.copyOf(operands), parse(flagArgs, accepted));
  }

  private static boolean takesValue(String arg, List<Flag> accepted) {
    if (!arg.startsWith("--") || arg.contains("=")) {
      return false;
    }
    String name = arg.substring(2);
    return accepted.stream().anyMatch(f -> f.name().equals(name) && f.takesValue());
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The raw value, or null when the flag is absent. */
  public String get(String name) {
    return values.get(name);
  }

  public String require(String name, String expected) throws UsageException {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      throw new UsageException("--" + name + ": missing (expected: " + expected + ")");
    }
    return value;
  }

  public double positiveDouble(String name, double otherwise) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return otherwise;
    }
    return positiveDouble(name, text);
  }

  static double positiveDouble(String name, String text) throws UsageException {
    try {
      double value = Double.parseDouble(text.trim());
      if (value > 0 && !Double.isInfinite(value)) {
        return value;
      }
    } catch (NumberFormatException e) {
      // one message below
    }
    throw new UsageException("--" + name + ": " + text + " (expected: a number > 0)");
  }

  /** A fraction in [0, 1]. */
  public double fraction(String name, double otherwise) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      double value = Double.parseDouble(text.trim());
      if (value >= 0 && value <= 1) {
        return value;
      }
    } catch (NumberFormatException e) {
      // one message below
    }
    throw new UsageException("--" + name + ": " + text + " (expected: a number from 0 to 1)");
  }

  public long positiveLong(String name, long otherwise) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      long value = Long.parseLong(text.trim().replace("_", ""));
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // one message below
    }
    throw new UsageException("--" + name + ": " + text + " (expected: a whole number > 0)");
  }

  public int positiveInt(String name, int otherwise) throws UsageException {
    long value = positiveLong(name, otherwise);
    if (value > Integer.MAX_VALUE) {
      throw new UsageException("--" + name + ": " + value + " (expected: at most " + Integer.MAX_VALUE + ")");
    }
    return (int) value;
  }

  public long anyLong(String name, long otherwise) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return otherwise;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + ": " + text + " (expected: a whole number)");
    }
  }

  /** A duration: {@code 90}, {@code 90s}, {@code 1.5m}, {@code 500ms}, {@code 1h}; a bare number is seconds. */
  public Duration duration(String name, Duration otherwise) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return otherwise;
    }
    Duration value = parseDuration(text, false);
    if (value == null || value.isZero()) {
      throw new UsageException(
          "--" + name + ": " + text + " (expected: a duration > 0 such as 90, 90s, 1.5m, 500ms or 1h)");
    }
    return value;
  }

  /** A duration in milliseconds, as SLOs are given: {@code --slo-ttft-ms 300}. */
  public Duration millis(String name) throws UsageException {
    String text = values.get(name);
    if (text == null) {
      return null;
    }
    double ms = positiveDouble(name, text);
    return Duration.ofNanos(Math.round(ms * 1e6));
  }

  /**
   * Parses a duration; with {@code unitRequired} a bare number is not one (so {@code --warmup 10} is a
   * request count). Null when it is not a duration.
   */
  public static Duration parseDuration(String text, boolean unitRequired) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || (unitRequired && m.group(2) == null)) {
      return null;
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double nanos;
    switch (unit) {
      case "ms":
        nanos = amount * 1e6;
        break;
      case "m":
        nanos = amount * 60e9;
        break;
      case "h":
        nanos = amount * 3600e9;
        break;
      default:
        nanos = amount * 1e9;
    }
    return nanos > Long.MAX_VALUE / 2.0 ? null : Duration.ofNanos(Math.round(nanos));
  }

  /** A comma-separated list of numbers > 0: {@code 10,20,40}. */
  public List<Double> positiveDoubles(String name) throws UsageException {
    String text = values.get(name);
    List<Double> list = new ArrayList<>();
    if (text == null) {
      return list;
    }
    for (String part : text.split(",", -1)) {
      if (part.isBlank()) {
        throw new UsageException("--" + name + ": " + text + " (expected: numbers > 0 separated by commas)");
      }
      try {
        list.add(positiveDouble(name, part));
      } catch (UsageException e) {
        throw new UsageException("--" + name + ": " + text + " (expected: numbers > 0 separated by commas)");
      }
    }
    return list;
  }

  /** The flags' help, one per line, for {@code --help}. */
  public static String help(List<Flag> flags) {
    StringBuilder text = new StringBuilder();
    for (Flag flag : flags) {
      String left = "  --" + flag.name() + (flag.takesValue() ? " " + flag.value() : "");
      text.append(String.format(Locale.ROOT, "%-30s %s%n", left, flag.help()));
    }
    return text.toString();
  }
}
