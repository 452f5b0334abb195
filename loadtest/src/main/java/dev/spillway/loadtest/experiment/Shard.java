package dev.spillway.loadtest.experiment;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One slice of an experiment's runs, {@code index} of {@code count}: the runs whose place in the plan
 * is {@code index} modulo {@code count}. Dealing runs out in turn, rather than in blocks, gives every
 * shard some of the low rates and some of the high ones, which take longest to simulate.
 */
public record Shard(int index, int count) {

  /** The whole experiment as one shard. */
  public static final Shard WHOLE = new Shard(0, 1);

  private static final Pattern TEXT = Pattern.compile("(\\d{1,6})/(\\d{1,6})");

  public Shard {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "shard: " + index + "/" + count + " (expected: i/N with N >= 1 and 0 <= i < N)");
    }
  }

  /** {@code i/N}, as {@code --shard} takes it. */
  public static Shard parse(String text) {
    Matcher m = TEXT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--shard: " + text + " (expected: i/N with N >= 1 and 0 <= i < N, such as 0/4)");
    }
    int index = Integer.parseInt(m.group(1));
    int count = Integer.parseInt(m.group(2));
    if (count < 1 || index >= count) {
      throw new IllegalArgumentException(
          "--shard: " + text + " (expected: i/N with N >= 1 and 0 <= i < N, such as 0/4)");
    }
    return new Shard(index, count);
  }

  /** Whether the run at {@code runIndex} of the plan is this shard's. */
  public boolean includes(int runIndex) {
    return runIndex % count == index;
  }

  /** The file a shard's results go to: {@code shard-0002-of-0008.json}, so a listing sorts by index. */
  public String fileName() {
    return String.format(java.util.Locale.ROOT, "shard-%04d-of-%04d.json", index, count);
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
