package dev.spillway.backends.calibrate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One published measurement, in the column format of {@code calibration/targets.csv}. Empty numeric
 * cells are {@link Double#NaN} (or 0 for integer columns).
 *
 * @param line the 1-based line of the CSV file, for messages
 */
record TargetRow(
    int line,
    String system,
    String model,
    String hardware,
    String instance,
    int tp,
    int concurrency,
    int inputTokens,
    int outputTokens,
    double ttftMs,
    double tpotMs,
    double throughputTokS,
    String source) {

  static final List<String> COLUMNS =
      List.of(
          "system", "model", "hardware", "instance", "tp", "concurrency", "input_tokens",
          "output_tokens", "ttft_ms", "tpot_ms", "throughput_tok_s", "source");

  String label() {
    return "row " + line + " (" + model + " on " + hardware + ", " + system + ")";
  }

  static List<TargetRow> read(Path file) throws IOException {
    List<List<String>> records = Csv.parse(Files.readString(file, StandardCharsets.UTF_8));
    if (records.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty (expected: a header line and rows)");
    }
    Map<String, Integer> index = new HashMap<>();
    List<String> header = records.get(0);
    for (int i = 0; i < header.size(); i++) {
      index.put(header.get(i).trim().toLowerCase(Locale.ROOT), i);
    }
    for (String column : COLUMNS) {
      if (!index.containsKey(column)) {
        throw new IllegalArgumentException(
            file + ": missing column " + column + " (expected: " + String.join(",", COLUMNS) + ")");
      }
    }
    List<TargetRow> rows = new ArrayList<>();
    for (int r = 1; r < records.size(); r++) {
      List<String> cells = records.get(r);
      if (cells.size() == 1 && cells.get(0).isBlank()) {
        continue;
      }
      int line = r + 1;
      Cells c = new Cells(file, line, cells, index);
      rows.add(
          new TargetRow(
              line, c.text("system"), c.text("model"), c.text("hardware"), c.text("instance"),
              c.integer("tp"), c.integer("concurrency"), c.integer("input_tokens"),
              c.integer("output_tokens"), c.number("ttft_ms"), c.number("tpot_ms"),
              c.number("throughput_tok_s"), c.text("source")));
    }
    return rows;
  }

  private static final class Cells {
    private final Path file;
    private final int line;
    private final List<String> cells;
    private final Map<String, Integer> index;

    Cells(Path file, int line, List<String> cells, Map<String, Integer> index) {
      this.file = file;
      this.line = line;
      this.cells = cells;
      this.index = index;
    }

    String text(String column) {
      int i = index.get(column);
      return i < cells.size() ? cells.get(i).trim() : "";
    }

    double number(String column) {
      String value = text(column);
      if (value.isEmpty()) {
        return Double.NaN;
      }
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            file + " line " + line + ": " + column + ": " + value + " (expected: a number or empty)");
      }
    }

    int integer(String column) {
      double value = number(column);
      if (Double.isNaN(value)) {
        return 0;
      }
      if (value < 0 || value != Math.rint(value)) {
        throw new IllegalArgumentException(
            file + " line " + line + ": " + column + ": " + text(column)
                + " (expected: a whole number >= 0 or empty)");
      }
      return (int) value;
    }
  }

  /** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
  static final class Csv {
    private Csv() {}

    static List<List<String>> parse(String text) {
      List<List<String>> records = new ArrayList<>();
      List<String> record = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < text.length(); i++) {
        char ch = text.charAt(i);
        if (quoted) {
          if (ch == '"') {
            if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
              field.append('"');
              i++;
            } else {
              quoted = false;
            }
          } else {
            field.append(ch);
          }
        } else if (ch == '"') {
          quoted = true;
        } else if (ch == ',') {
          record.add(field.toString());
          field.setLength(0);
        } else if (ch == '\n' || ch == '\r') {
          if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
            i++;
          }
          record.add(field.toString());
          field.setLength(0);
          records.add(record);
          record = new ArrayList<>();
        } else {
          field.append(ch);
        }
      }
      if (field.length() > 0 || !record.isEmpty()) {
        record.add(field.toString());
        records.add(record);
      }
      return records;
    }
  }
}
