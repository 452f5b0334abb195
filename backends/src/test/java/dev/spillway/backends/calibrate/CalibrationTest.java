package dev.spillway.backends.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.backends.emulator.Profiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationTest {

  /** The published measurements shipped with the project (a copy of calibration/targets.csv). */
  static final Path TARGETS = Path.of("calibration/targets.csv");

  /**
   * Today's fit (docs/calibration.md): median 0.056, max 0.296, inside the project's goal of median
   * <= 0.10 and max <= 0.35. These bounds may only be tightened: a change to the latency model or the
   * profiles that reproduces published measurements less well fails here.
   */
  static final double MEDIAN_BOUND = 0.0575;

  static final double MAX_BOUND = 0.2975;

  @Test
  void reproducesPublishedMeasurementsWithinTheRecordedBounds() throws IOException {
    List<TargetRow> rows = TargetRow.read(TARGETS);
    Profiles profiles = Profiles.builtIn();
    Calibration.Result result = Calibration.run(Calibration.scenarios(rows, profiles), profiles);
    int metrics = 0;
    for (TargetRow row : rows) {
      metrics += Double.isNaN(row.ttftMs()) ? 0 : 1;
      metrics += Double.isNaN(row.tpotMs()) ? 0 : 1;
      metrics += Double.isNaN(row.throughputTokS()) ? 0 : 1;
    }
    assertThat(result.n()).as("every published metric is compared").isEqualTo(metrics);
    assertThat(result.median()).as(result.summary()).isLessThanOrEqualTo(MEDIAN_BOUND);
    assertThat(result.max()).as(result.summary()).isLessThanOrEqualTo(MAX_BOUND);
  }

  /**
   * Rows of the same NIM tables left out of targets.csv (other concurrencies): the fitted model meets
   * them without having seen them. Today: median 0.036, max 0.513 (8B TTFT at concurrency 5).
   */
  @Test
  void holdsForPublishedRowsTheFitNeverSaw() throws IOException {
    List<TargetRow> rows = TargetRow.read(Path.of("calibration/holdout-nim.csv"));
    Profiles profiles = Profiles.builtIn();
    Calibration.Result result = Calibration.run(Calibration.scenarios(rows, profiles), profiles);
    assertThat(result.n()).isEqualTo(24);
    assertThat(result.median()).as(result.summary()).isLessThanOrEqualTo(0.0375);
    assertThat(result.max()).as(result.summary()).isLessThanOrEqualTo(0.5175);
  }

  @Test
  void commandPrintsEveryRowAndEndsWithOneSummaryLine(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("two.csv");
    List<String> lines = Files.readAllLines(TARGETS);
    Files.write(csv, List.of(lines.get(0), lines.get(8), lines.get(32)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        CalibrateCommand.run(
            new String[] {"--targets", csv.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String[] outputLines = printed.strip().split("\n");
    assertThat(outputLines[outputLines.length - 1])
        .matches("calibration: median=\\d\\.\\d{3} max=\\d+\\.\\d{3} n=6");
    assertThat(printed).contains("ttft_ms").contains("tpot_ms").contains("throughput_tok_s");
    assertThat(printed.lines().filter(l -> l.startsWith("calibration:")).count()).isEqualTo(1);
  }

  @Test
  void aRowThatMapsToNoProfileIsAnErrorNamingTheRow(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.write(
        csv,
        List.of(
            String.join(",", TargetRow.COLUMNS),
            "Some stack,Llama-3.1-8B,TPU v5e x8,,8,1,128,128,10,5,100,INDEP test"));
    List<TargetRow> rows = TargetRow.read(csv);
    assertThatThrownBy(() -> Calibration.scenarios(rows, Profiles.builtIn()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("row 2")
        .hasMessageContaining("TPU v5e");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        CalibrateCommand.run(
            new String[] {"--targets", csv.toString()}, new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("row 2");
  }

  @Test
  void unknownModelsAndStacksAreErrorsToo(@TempDir Path dir) throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.write(
        csv,
        List.of(
            String.join(",", TargetRow.COLUMNS),
            "NVIDIA NIM,Mistral-7B,H100 SXM 80GB x1,,1,1,128,128,10,5,100,x",
            "Unknown engine,Llama-3.1-8B,H100 SXM 80GB x1,,1,1,128,128,10,5,100,x"));
    List<TargetRow> rows = TargetRow.read(csv);
    assertThatThrownBy(() -> Scenario.of(rows.get(0), Profiles.builtIn()))
        .hasMessageContaining("row 2")
        .hasMessageContaining("Mistral-7B");
    assertThatThrownBy(() -> Scenario.of(rows.get(1), Profiles.builtIn()))
        .hasMessageContaining("row 3")
        .hasMessageContaining("Unknown engine");
  }

  @Test
  void csvQuotesCommasAndEmptyCells() {
    List<List<String>> records = TargetRow.Csv.parse("a,\"b, c\",,\"say \"\"hi\"\"\"\r\n1,2,3,4\n");
    assertThat(records).containsExactly(List.of("a", "b, c", "", "say \"hi\""), List.of("1", "2", "3", "4"));
  }
}
