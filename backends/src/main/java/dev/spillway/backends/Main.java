package dev.spillway.backends;

import dev.spillway.backends.calibrate.CalibrateCommand;
import dev.spillway.backends.server.ServeCommand;
import java.util.Arrays;

/** {@code java -jar spillway-backend.jar calibrate|serve ...}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println(
          "usage: spillway-backend <command> [options]\n\n"
              + "commands:\n"
              + "  calibrate --targets FILE.csv [--profiles FILE]   reproduce published measurements\n"
              + "  serve --accelerator NAME --model NAME [--replicas N] [--port N] [--host H]\n"
              + "                                                    serve one emulated pool over HTTP\n\n"
              + "Run a command with --help for its options.");
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    int status;
    switch (args[0]) {
      case "calibrate":
        status = CalibrateCommand.run(rest, System.out, System.err);
        break;
      case "serve":
        status = ServeCommand.run(rest, System.out, System.err);
        break;
      default:
        System.err.println("unknown command: " + args[0] + " (expected: calibrate or serve)");
        status = 2;
    }
    if (status != 0) {
      System.exit(status);
    }
  }
}
