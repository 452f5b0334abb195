package dev.spillway.backends.calibrate;

import dev.spillway.backends.emulator.Profiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code calibrate --targets FILE.csv [--profiles FILE] [--fit]}: reproduces every row of a file of
 * published measurements and prints, per row and metric, predicted, published and relative error, then
 * one summary line {@code calibration: median=... max=... n=...}. With {@code --fit} it first fits
 * each stack's efficiency factors per accelerator family to the file and prints them as YAML.
 */
public final class CalibrateCommand {

  private CalibrateCommand() {}

  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path targets = null;
    Path profilesFile = null;
    boolean fit = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--targets":
          if (++i >= args.length) {
            err.println("--targets: missing (expected: a CSV file)");
            return 2;
          }
          targets = Path.of(args[i]);
          break;
        case "--profiles":
          if (++i >= args.length) {
            err.println("--profiles: missing (expected: a YAML file)");
            return 2;
          }
          profilesFile = Path.of(args[i]);
          break;
        case "--fit":
          fit = true;
          break;
        case "--help":
        case "-h":
          out.println(
              "usage: calibrate --targets FILE.csv [--profiles FILE.yaml] [--fit]\n"
                  + "  Reproduces each row (virtual clock, closed-loop clients) and prints predicted,\n"
                  + "  published and relative error per metric, then the median and maximum error.\n"
                  + "  --fit  first fit each stack's efficiency factors to the file; print them as YAML");
          return 0;
        default:
          err.println("unknown option: " + args[i] + " (expected: --targets, --profiles, --fit)");
          return 2;
      }
    }
    if (targets == null) {
      err.println("--targets: missing (expected: a CSV file in the format of targets.csv)");
      return 2;
    }
    if (!Files.isReadable(targets)) {
      err.println("--targets: " + targets + " (expected: a readable file)");
      return 2;
    }
    try {
      Profiles profiles =
          profilesFile == null ? Profiles.builtIn() : Profiles.withOverrides(profilesFile);
      List<TargetRow> rows = TargetRow.read(targets);
      List<Scenario> scenarios = Calibration.scenarios(rows, profiles);
      if (fit) {
        Fitter.Fitted fitted = Fitter.fit(scenarios, profiles, err);
        out.println(fitted.yaml());
        profiles = fitted.profiles();
        scenarios = Calibration.scenarios(rows, profiles);
      }
      Calibration.Result result = Calibration.run(scenarios, profiles);
      out.print(Calibration.table(result));
      out.println(result.summary());
      return 0;
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("calibrate: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("calibrate: cannot read " + targets + ": " + e.getMessage());
      return 1;
    }
  }
}
