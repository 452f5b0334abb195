package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A request trace: arrival offsets and token counts, as in the Azure LLM inference traces
 * ({@code TIMESTAMP,ContextTokens,GeneratedTokens}, with timestamps such as
 * {@code 2023-11-16 18:15:46.6805900}). Entries are sorted by time and their offsets are relative to
 * the earliest.
 *
 * @param source where it was read from, for reports
 */
public record Trace(String source, List<Entry> entries) {

  /** One traced request; token counts are at least 1 (the traces hold a few zeros). */
  public record Entry(long offsetNanos, int contextTokens, int generatedTokens) {
    public Entry {
      if (offsetNanos < 0) {
        throw new IllegalArgumentException("offsetNanos: " + offsetNanos + " (expected: >= 0)");
      }
      if (contextTokens < 1 || generatedTokens < 1) {
        throw new IllegalArgumentException(
            "tokens: " + contextTokens + "/" + generatedTokens + " (expected: >= 1 each)");
      }
    }
  }

  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart().appendLiteral('T').optionalEnd()
          .optionalStart().appendLiteral(' ').optionalEnd()
          .appendPattern("HH:mm:ss")
          .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
          .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
          .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
          .toFormatter(Locale.ROOT);

  public Trace {
    requireNonNull(source, "source");
    entries = List.copyOf(entries);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("trace " + source + ": no requests (expected: at least one row)");
    }
  }

  public static Trace readAzureCsv(Path file) {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parseAzureCsv(reader, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("trace " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a CSV with a header naming {@code TIMESTAMP}, {@code ContextTokens} and
   * {@code GeneratedTokens} (any order, any case, other columns ignored). Timestamps are ISO local
   * date-times with a space or {@code T}, up to nine fractional digits and an optional offset; without
   * an offset they are read as UTC. Bad rows fail with the file and line.
   */
  public static Trace parseAzureCsv(Reader reader, String source) throws IOException {
    BufferedReader lines = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
    String header = lines.readLine();
    if (header == null) {
      throw new IllegalArgumentException("trace " + source + ": empty (expected: a header line)");
    }
    String[] names = header.replace("\uFEFF", "").split(",", -1);
    int time = column(names, "TIMESTAMP", source);
    int context = column(names, "ContextTokens", source);
    int generated = column(names, "GeneratedTokens", source);
    List<long[]> rows = new ArrayList<>();
    String line;
    int number = 1;
    while ((line = lines.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length < names.length) {
        throw new IllegalArgumentException(
            "trace " + source + ":" + number + ": " + cells.length + " columns (expected: " + names.length + ")");
      }
      long epochNanos = epochNanos(cells[time].trim(), source, number);
      long contextTokens = tokens(cells[context].trim(), "ContextTokens", source, number);
      long generatedTokens = tokens(cells[generated].trim(), "GeneratedTokens", source, number);
      rows.add(new long[] {epochNanos, contextTokens, generatedTokens});
    }
    rows.sort(Comparator.comparingLong(row -> row[0])); // stable: ties keep file order
    List<Entry> entries = new ArrayList<>(rows.size());
    long first = rows.isEmpty() ? 0 : rows.get(0)[0];
    for (long[] row : rows) {
      entries.add(new Entry(row[0] - first, (int) Math.max(1, row[1]), (int) Math.max(1, row[2])));
    }
    return new Trace(source, entries);
  }

  private static int column(String[] names, String wanted, String source) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].trim().equalsIgnoreCase(wanted)) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "trace " + source + ": no " + wanted + " column (expected: a header with TIMESTAMP,ContextTokens,"
            + "GeneratedTokens)");
  }

  private static long epochNanos(String text, String source, int line) {
    try {
      TemporalAccessor parsed = TIMESTAMP.parse(text);
      Instant instant =
          parsed.isSupported(ChronoField.OFFSET_SECONDS)
              ? Instant.from(parsed)
              : LocalDateTime.from(parsed).toInstant(ZoneOffset.UTC);
      return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "trace " + source + ":" + line + ": TIMESTAMP: " + text
              + " (expected: an ISO date-time such as 2023-11-16 18:15:46.6805900)");
    }
  }

  private static long tokens(String text, String name, String source, int line) {
    try {
      long value = (long) Double.parseDouble(text);
      if (value < 0 || value > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "trace " + source + ":" + line + ": " + name + ": " + text + " (expected: a token count >= 0)");
    }
  }

  /** The span from the first to the last arrival, unscaled. */
  public long spanNanos() {
    return entries.get(entries.size() - 1).offsetNanos();
  }

  /** {@code 50} for 50.0, {@code 0.5} for 0.5: numbers as a person would type them. */
  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
