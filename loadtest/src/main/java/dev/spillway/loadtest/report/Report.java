package dev.spillway.loadtest.report;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.LatencySamples;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.metrics.SummaryBuilder;
import dev.spillway.loadtest.metrics.TimeSeries;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's three files into a directory: {@code summary.json}, {@code requests.csv}, {@code report.html}.
 * A run too long to keep its records writes them as it goes, through a {@link ReportStream}.
 */
public final class Report {

  public static final String SUMMARY_JSON = "summary.json";
  public static final String REQUESTS_CSV = "requests.csv";
  public static final String REPORT_HTML = "report.html";

  private Report() {}

  /**
   * Creates {@code dir} if needed and writes the files, replacing older ones.
   *
   * @param metadata what describes the run (model, arrival, seed, ...), written first in
   *     {@code summary.json} and as the report's first table; JSON-friendly values only
   */
  public static void write(Path dir, Summary summary, List<RequestRecord> records, Map<String, ?> metadata)
      throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(summary, "summary");
    requireNonNull(records, "records");
    requireNonNull(metadata, "metadata");
    Files.createDirectories(dir);
    try (Writer out = Files.newBufferedWriter(dir.resolve(REQUESTS_CSV), StandardCharsets.UTF_8)) {
      RequestsCsv.write(out, records);
    }
    SummaryBuilder charts = new SummaryBuilder(summary.goals());
    for (RequestRecord record : records) {
      charts.add(record);
    }
    writeSummaryAndPage(dir, summary, charts.timeSeries(), charts.latencySamples(), metadata);
  }

  /** {@code summary.json} and {@code report.html}, from what a run folded. */
  static void writeSummaryAndPage(
      Path dir, Summary summary, TimeSeries series, LatencySamples samples, Map<String, ?> metadata)
      throws IOException {
    SummaryJson.MAPPER.writeValue(dir.resolve(SUMMARY_JSON).toFile(), SummaryJson.of(summary, metadata));
    Files.writeString(
        dir.resolve(REPORT_HTML), HtmlReport.render(summary, series, samples, metadata), StandardCharsets.UTF_8);
  }
}
