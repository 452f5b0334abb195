package dev.spillway.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {

  @TempDir Path dir;

  private static List<RequestRecord> records() {
    List<RequestRecord> records = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      long start = i * 100_000_000L;
      long[] tokens = new long[8];
      for (int t = 0; t < tokens.length; t++) {
        tokens[t] = start + 80_000_000L + t * 12_000_000L;
      }
      boolean failed = i % 10 == 9;
      records.add(new RequestRecord(
          i, "llama, \"8b\"", "tenant-" + (i % 3), "default", 256, 8, start, start + 1_000_000L,
          failed ? -1 : tokens[0], failed ? start + 5_000_000L : tokens[7], failed ? new long[0] : tokens,
          failed ? 0 : 8, failed ? "http_503" : null, i % 2 == 0 ? "trn2" : "h100", 1e-5, 3e-5, i < 2));
    }
    return records;
  }

  @Test
  void theThreeFilesAreWrittenAndParse() throws Exception {
    List<RequestRecord> records = records();
    Summary summary =
        Summary.of(records, new SloGoals(Duration.ofMillis(100), null, null), Summary.measuredDurationNanos(records));
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("model_id", "llama");
    metadata.put("base_url", "http://127.0.0.1:8080/v1");
    metadata.put("request_rate", 10.0);

    Report.write(dir, summary, records, metadata);

    JsonNode json = new ObjectMapper().readTree(dir.resolve(Report.SUMMARY_JSON).toFile());
    for (String field : List.of(
        "duration", "completed", "failed", "total_input_tokens", "total_output_tokens", "request_throughput",
        "request_goodput", "output_throughput", "total_token_throughput", "max_output_tokens_per_s",
        "max_concurrent_requests")) {
      assertThat(json.has(field)).as(field).isTrue();
    }
    for (String metric : List.of("ttft", "tpot", "itl", "e2el")) {
      for (String stat : List.of("mean", "median", "std", "p90", "p99", "p99.9")) {
        String field = stat + "_" + metric + "_ms";
        assertThat(json.path(field).isNumber()).as(field).isTrue();
      }
    }
    assertThat(json.get("completed").asLong()).isEqualTo(25);
    assertThat(json.get("failed").asLong()).isEqualTo(3);
    assertThat(json.get("model_id").asText()).isEqualTo("llama");
    assertThat(json.path("errors").path("http_503").asLong()).isEqualTo(3);
    assertThat(json.path("pools").path("trn2").path("requests").asLong()).isPositive();
    assertThat(json.path("cost").has("cost_per_1m_output_tokens_usd")).isTrue();
    assertThat(json.path("schedule_lag").path("behind_schedule").isBoolean()).isTrue();
    assertThat(json.path("goodput").path("slo_ttft_ms").asDouble()).isEqualTo(100.0);

    List<String> csv = Files.readAllLines(dir.resolve(Report.REQUESTS_CSV), StandardCharsets.UTF_8);
    assertThat(csv).hasSize(1 + records.size());
    assertThat(csv.get(0)).isEqualTo(RequestsCsv.HEADER);
    assertThat(csv.get(0)).contains("ttft_ms", "tpot_ms", "e2e_ms");
    assertThat(csv.get(1)).startsWith("0,\"llama, \"\"8b\"\"\",tenant-0,default,256,8,0,1000000,80000000,");
    assertThat(csv.get(1).split(",", -1)[16 + 1]).isEqualTo("80.000"); // ttft after the quoted comma

    String html = Files.readString(dir.resolve(Report.REPORT_HTML), StandardCharsets.UTF_8);
    assertThat(html).contains("<svg", "TTFT CDF", "TPOT CDF", "E2E latency CDF", "trn2", "127.0.0.1:8080/v1");
    assertThat(html).contains("Errors per second by kind");
    assertThat(html.substring(html.indexOf("Errors per second by kind"))).contains("http_503");
    assertThat(html).doesNotContain("http://", "https://", "<script", "<link", "src=");
  }

  @Test
  void aStreamedReportIsTheSameFileForFileAsOneWrittenFromTheRecords(@TempDir Path streamed) throws Exception {
    List<RequestRecord> records = records();
    SloGoals goals = new SloGoals(Duration.ofMillis(100), null, null);
    Map<String, Object> metadata = Map.of("model_id", "llama");
    Report.write(dir, Summary.of(records, goals, Summary.measuredDurationNanos(records)), records, metadata);

    Summary summary;
    try (ReportStream stream = ReportStream.open(streamed, goals)) {
      records.forEach(stream);
      summary = stream.finish(metadata);
    }

    assertThat(summary).isEqualTo(Summary.of(records, goals, Summary.measuredDurationNanos(records)));
    for (String file : List.of(Report.SUMMARY_JSON, Report.REQUESTS_CSV, Report.REPORT_HTML)) {
      assertThat(Files.readAllBytes(streamed.resolve(file))).as(file).isEqualTo(Files.readAllBytes(dir.resolve(file)));
    }
  }

  @Test
  void theErrorsByKindChartIsLeftOutOfARunWithoutErrors() throws Exception {
    List<RequestRecord> records = new ArrayList<>();
    for (RequestRecord r : records()) {
      if (r.succeeded()) {
        records.add(r);
      }
    }
    Report.write(
        dir, Summary.of(records, SloGoals.NONE, Summary.measuredDurationNanos(records)), records, Map.of());
    assertThat(Files.readString(dir.resolve(Report.REPORT_HTML), StandardCharsets.UTF_8))
        .doesNotContain("Errors per second by kind");
  }

  @Test
  void anEmptyRunStillWritesValidFiles() throws Exception {
    Summary summary = Summary.of(List.of(), SloGoals.NONE, 0);

    Report.write(dir, summary, List.of(), Map.of());

    JsonNode json = new ObjectMapper().readTree(dir.resolve(Report.SUMMARY_JSON).toFile());
    assertThat(json.get("completed").asLong()).isZero();
    assertThat(json.get("request_goodput").isNull()).isTrue();
    assertThat(Files.readAllLines(dir.resolve(Report.REQUESTS_CSV))).containsExactly(RequestsCsv.HEADER);
    assertThat(Files.readString(dir.resolve(Report.REPORT_HTML))).contains("<svg").doesNotContain("NaN");
  }

  @Test
  void theTextTableUsesVllmsLabels() {
    List<RequestRecord> records = records();
    String table = SummaryTable.render(Summary.of(records, SloGoals.NONE, Summary.measuredDurationNanos(records)));

    assertThat(table).contains("Successful requests:", "Mean TTFT (ms):", "P99 TPOT (ms):", "Median ITL (ms):",
        "P99.9 E2EL (ms):", "http_503:");
  }
}
