package dev.spillway.backends.server;

import dev.spillway.backends.emulator.Chance;
import dev.spillway.backends.emulator.Crash;
import dev.spillway.backends.emulator.Dtype;
import dev.spillway.backends.emulator.Faults;
import dev.spillway.backends.emulator.SlowStart;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code spillway-backend serve}: parses the options, starts an {@link EmulatorServer} and returns while
 * it keeps serving (Vert.x's event-loop threads keep the JVM alive). Exit status 0 when listening, 2 for
 * a usage error (an unknown flag, a bad value, an unknown profile), 1 when the server cannot start.
 */
public final class ServeCommand {

  static final String USAGE =
      "usage: spillway-backend serve --accelerator NAME --model NAME [options]\n"
          + "\n"
          + "Serves one emulated pool over HTTP, in real time, as an OpenAI-compatible server:\n"
          + "POST /v1/chat/completions, GET /v1/models, GET /health, GET /metrics.\n"
          + "\n"
          + "options:\n"
          + "  --accelerator NAME  accelerator profile, e.g. trn2.48xlarge (required)\n"
          + "  --model NAME        model profile or alias, e.g. llama-3.3-70b (required)\n"
          + "  --replicas N        replicas in the pool (default 1)\n"
          + "  --host H            address to bind (default " + ServeOptions.DEFAULT_HOST + ")\n"
          + "  --port N            port to listen on, 0 for a free one (default " + ServeOptions.DEFAULT_PORT + ")\n"
          + "  --stack NAME        serving stack (default: the accelerator's)\n"
          + "  --tp N              tensor-parallel ranks (default: the smallest that fits)\n"
          + "  --dtype D           weight format: bf16, fp16, fp8, int8 or fp4 (default: the model's)\n"
          + "  --profiles FILE     YAML laid over the built-in profiles\n"
          + "\n"
          + "faults, to rehearse an outage (durations take a unit: 500ms, 2s, 1m):\n"
          + "  --error-rate P          share of requests failing before their first token (0 to 1)\n"
          + "  --latency-spike P:D     share of requests whose first token comes D later, e.g. 0.1:2s\n"
          + "  --stall P:D             share of streams that stop for D halfway through, e.g. 0.05:10s\n"
          + "  --disconnect P          share of streams cut with an error halfway through\n"
          + "  --slow-start N:D        the first N requests after a (re)start wait D more for a first token\n"
          + "  --crash-after D         every replica crashes D after start: fails what it holds and\n"
          + "                          refuses new requests...\n"
          + "  --recover-after D       ...until D later, when it serves again from a slow start\n"
          + "  --fault-seed N          seed of the fault draws (default 0)\n"
          + "  --tool-call-rate P  under tool_choice auto, the share of answers that call a tool\n"
          + "                      (default " + ServeOptions.DEFAULT_TOOL_CALL_RATE + ")\n"
          + "  -h, --help          print this help\n";

  private static final long START_TIMEOUT_SECONDS = 60;

  private ServeCommand() {}

  /** A command line that cannot run; the message names the flag and what it expects. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        out.print(USAGE);
        return 0;
      }
    }
    ServeOptions options;
    try {
      options = parse(args);
    } catch (UsageException e) {
      err.println("serve: " + e.getMessage());
      err.println("Run 'spillway-backend serve --help' for the options.");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    EmulatorServer server;
    try {
      server =
          EmulatorServer.start(vertx, options)
              .toCompletionStage()
              .toCompletableFuture()
              .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      vertx.close();
      return 1;
    } catch (Exception e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println("serve: " + cause.getMessage());
      vertx.close();
      return cause instanceof IllegalArgumentException || cause instanceof UncheckedIOException ? 2 : 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                  } catch (Exception ignored) {
                    // Exiting anyway.
                  }
                },
                "spillway-serve-shutdown"));
    int replicas = options.replicas();
    out.println(
        "serving " + options.model() + " on " + server.backend().description() + ", " + replicas
            + (replicas == 1 ? " replica" : " replicas") + ", at " + server.baseUrl().replaceFirst("/v1$", ""));
    return 0;
  }

  /** The options {@code args} name; flags take their value as the next word or after {@code =}. */
  static ServeOptions parse(String[] args) throws UsageException {
    String accelerator = null;
    String model = null;
    int replicas = 1;
    String host = ServeOptions.DEFAULT_HOST;
    int port = ServeOptions.DEFAULT_PORT;
    String stack = null;
    int tp = 0;
    Dtype dtype = null;
    Path profiles = null;
    Faults faults = Faults.NONE;
    Duration crashAfter = null;
    Duration recoverAfter = null;
    double toolCallRate = ServeOptions.DEFAULT_TOOL_CALL_RATE;
    for (int i = 0; i < args.length; i++) {
      String word = args[i];
      String flag = word;
      String value;
      int eq = flag.indexOf('=');
      if (flag.startsWith("--") && eq > 0) {
        value = flag.substring(eq + 1);
        flag = flag.substring(0, eq);
      } else {
        value = i + 1 < args.length ? args[i + 1] : null;
        i++;
      }
      switch (flag) {
        case "--accelerator":
          accelerator = text(flag, value, "an accelerator profile name, e.g. trn2.48xlarge");
          break;
        case "--model":
          model = text(flag, value, "a model profile name or alias, e.g. llama-3.3-70b");
          break;
        case "--replicas":
          replicas = integer(flag, value, 1, 100_000, "an integer >= 1");
          break;
        case "--host":
          host = text(flag, value, "an address to bind, e.g. 0.0.0.0");
          break;
        case "--port":
          port = integer(flag, value, 0, 65535, "an integer from 0 to 65535");
          break;
        case "--stack":
          stack = text(flag, value, "a serving stack name, e.g. neuron-vllm");
          break;
        case "--tp":
          tp = integer(flag, value, 1, 1 << 20, "an integer >= 1");
          break;
        case "--dtype":
          text(flag, value, "bf16, fp16, fp8, int8 or fp4");
          try {
            dtype = Dtype.parse(value);
          } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + value + " (expected: bf16, fp16, fp8, int8 or fp4)");
          }
          break;
        case "--profiles":
          profiles = Path.of(text(flag, value, "a YAML profiles file"));
          if (!Files.isReadable(profiles)) {
            throw new UsageException(flag + ": " + value + " (expected: a readable YAML file)");
          }
          break;
        case "--error-rate":
          faults = faults.withErrorRate(probability(flag, value));
          break;
        case "--disconnect":
          faults = faults.withDisconnect(probability(flag, value));
          break;
        case "--latency-spike":
          faults = faults.withLatencySpike(chance(flag, value));
          break;
        case "--stall":
          faults = faults.withStall(chance(flag, value));
          break;
        case "--slow-start":
          {
            String expected = "N:DURATION, the first N requests wait DURATION more, e.g. 20:2s";
            String[] parts = pair(flag, value, expected);
            faults =
                faults.withSlowStart(
                    new SlowStart(
                        integer(flag, parts[0], 0, Integer.MAX_VALUE, expected),
                        duration(flag, value, parts[1], expected)));
          }
          break;
        case "--tool-call-rate":
          toolCallRate = probability(flag, value);
          break;
        case "--crash-after":
          crashAfter = duration(flag, value, value, "a duration such as 30s");
          break;
        case "--recover-after":
          recoverAfter = duration(flag, value, value, "a duration such as 1m");
          break;
        case "--fault-seed":
          text(flag, value, "an integer");
          try {
            faults = faults.withSeed(Long.parseLong(value.trim()));
          } catch (NumberFormatException e) {
            throw new UsageException(flag + ": " + value + " (expected: an integer)");
          }
          break;
        default:
          throw new UsageException(
              "unknown option " + word
                  + " (expected: --accelerator, --model, --replicas, --host, --port, --stack, --tp,"
                  + " --dtype, --profiles, --error-rate, --latency-spike, --stall, --disconnect,"
                  + " --slow-start, --crash-after, --recover-after, --fault-seed, --tool-call-rate"
                  + " or --help)");
      }
    }
    if (accelerator == null) {
      throw new UsageException("--accelerator: missing (expected: an accelerator profile name, e.g. trn2.48xlarge)");
    }
    if (model == null) {
      throw new UsageException("--model: missing (expected: a model profile name or alias, e.g. llama-3.3-70b)");
    }
    if ((crashAfter == null) != (recoverAfter == null)) {
      String missing = crashAfter == null ? "--crash-after" : "--recover-after";
      throw new UsageException(
          missing + ": missing (expected: --crash-after and --recover-after together)");
    }
    if (crashAfter != null) {
      faults = faults.withCrash(new Crash(crashAfter, recoverAfter));
    }
    return new ServeOptions(
        accelerator, model, replicas, host, port, stack, tp, dtype, profiles, faults, toolCallRate);
  }

  private static double probability(String flag, String value) throws UsageException {
    text(flag, value, "a probability from 0 to 1");
    try {
      double p = Double.parseDouble(value.trim());
      if (p >= 0 && p <= 1) {
        return p;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new UsageException(flag + ": " + value + " (expected: a probability from 0 to 1)");
  }

  /** {@code P:DURATION}, e.g. {@code 0.1:2s}. */
  private static Chance chance(String flag, String value) throws UsageException {
    String expected = "P:DURATION, a probability and a duration, e.g. 0.1:2s";
    String[] parts = pair(flag, value, expected);
    double p;
    try {
      p = Double.parseDouble(parts[0].trim());
    } catch (NumberFormatException e) {
      throw new UsageException(flag + ": " + value + " (expected: " + expected + ")");
    }
    if (!(p >= 0 && p <= 1)) {
      throw new UsageException(flag + ": " + value + " (expected: " + expected + ", P from 0 to 1)");
    }
    return new Chance(p, duration(flag, value, parts[1], expected));
  }

  private static String[] pair(String flag, String value, String expected) throws UsageException {
    text(flag, value, expected);
    int colon = value.indexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new UsageException(flag + ": " + value + " (expected: " + expected + ")");
    }
    return new String[] {value.substring(0, colon), value.substring(colon + 1)};
  }

  /** A duration with its unit: {@code 500ms}, {@code 2s}, {@code 1m}. */
  private static Duration duration(String flag, String value, String part, String expected)
      throws UsageException {
    text(flag, value, expected);
    try {
      return Faults.duration(flag, part);
    } catch (IllegalArgumentException e) {
      throw new UsageException(flag + ": " + value + " (expected: " + expected + ")");
    }
  }

  private static String text(String flag, String value, String expected) throws UsageException {
    if (value == null || value.isBlank() || value.startsWith("--")) {
      throw new UsageException(flag + ": missing value (expected: " + expected + ")");
    }
    return value;
  }

  private static int integer(String flag, String value, int min, int max, String expected)
      throws UsageException {
    text(flag, value, expected);
    try {
      int n = Integer.parseInt(value.trim());
      if (n < min || n > max) {
        throw new UsageException(flag + ": " + value + " (expected: " + expected + ")");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException(flag + ": " + value + " (expected: " + expected + ")");
    }
  }
}
