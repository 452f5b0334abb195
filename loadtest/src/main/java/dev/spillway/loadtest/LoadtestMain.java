package dev.spillway.loadtest;

import dev.spillway.loadtest.experiment.ExperimentCommand;
import dev.spillway.loadtest.plan.PlanCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar spillway-loadtest.jar COMMAND [flags]}. Exit status: 0 done, 1 the run failed (no
 * request completed, or the output could not be written), 2 a usage error.
 */
public final class LoadtestMain {

  static final String USAGE =
      "usage: spillway-loadtest COMMAND [flags]\n\n"
          + "commands:\n"
          + "  run         drive a live OpenAI-compatible endpoint and report (run --help for flags)\n"
          + "  simulate    run a workload through the gateway core and emulated pools in virtual time\n"
          + "  experiment  compare routing policies over a workload and fleet in virtual time (experiment --help)\n"
          + "  plan        find the cheapest fleet (accelerators, replicas, policy) for a workload's SLOs (plan --help)\n"
          + "  stub-upstream  serve a fixed, optionally paced, OpenAI-compatible answer (stub-upstream --help)\n";

  private LoadtestMain() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /** Runs a command line and returns the exit status; output goes to {@code out}, diagnostics to {@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE);
      return 2;
    }
    String command = args[0];
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    try {
      switch (command) {
        case "run":
          return new RunCommand(out, err).run(rest);
        case "simulate":
          return new SimulateCommand(out, err).run(rest);
        case "experiment":
          return new ExperimentCommand(out, err).run(rest);
        case "plan":
          return new PlanCommand(out, err).run(rest);
        case "stub-upstream":
          return new StubUpstreamCommand(out).run(rest);
        case "help":
        case "-h":
        case "--help":
          out.print(USAGE);
          return 0;
        default:
          throw new UsageException("unknown command: " + command + " (expected: run, simulate, experiment, plan or stub-upstream)");
      }
    } catch (UsageException e) {
      err.println("spillway-loadtest " + command + ": " + e.getMessage());
      err.println(
          "see: spillway-loadtest "
              + (List.of("run", "simulate", "experiment", "plan", "stub-upstream").contains(command) ? command + " --help" : "--help"));
      return 2;
    } catch (IOException e) {
      err.println("spillway-loadtest " + command + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("spillway-loadtest " + command + ": interrupted");
      return 1;
    }
  }
}
