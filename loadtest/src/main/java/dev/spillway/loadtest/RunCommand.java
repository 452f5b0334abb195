package dev.spillway.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.http.DriverOptions;
import dev.spillway.loadtest.http.Endpoint;
import dev.spillway.loadtest.http.LoadDriver;
import dev.spillway.loadtest.http.RunResult;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.metrics.Summary;
import dev.spillway.loadtest.report.Report;
import dev.spillway.loadtest.report.SummaryJson;
import dev.spillway.loadtest.report.SummaryTable;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.Workload;
import dev.spillway.loadtest.workload.WorkloadOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code run}: drives a live OpenAI-compatible endpoint with a workload, then writes the report files
 * and prints the summary. A sweep ({@code --rates}) runs once per rate, one after the other, each into
 * {@code OUT/rate-R/}, plus {@code OUT/sweep.json}.
 */
final class RunCommand {

  static final List<Flag> DRIVER_FLAGS = List.of(
      Flag.valued("url", "URL", "the API root, e.g. http://127.0.0.1:8080/v1 (required)"),
      Flag.valued("api-key", "KEY", "sent as Authorization: Bearer KEY"),
      Flag.valued("endpoint", "chat|completions", "POST /chat/completions (default) or /completions"),
      Flag.valued("max-inflight", "N", "most requests outstanding at once; default 10000"),
      Flag.valued("timeout", "D", "a request taking longer fails as timeout; default 10m"),
      Flag.valued("prefix-len", "N", "tokens a prefix group shares; default half of each prompt"),
      Flag.valued("out", "DIR", "where summary.json, requests.csv and report.html go (required)"),
      Flag.bool("lean", "time requests at their first and last body bytes, without parsing chunks"),
      Flag.bool("progress", "show the progress line on stderr even when it is not a terminal"),
      Flag.bool("help", "show this help"));

  static final List<Flag> FLAGS = concat(DRIVER_FLAGS, WorkloadFlags.FLAGS, WorkloadFlags.SLO_FLAGS);

  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT);

  private final PrintStream out;
  private final PrintStream err;

  RunCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  static String usage() {
    return "usage: spillway-loadtest run --url URL --model M (--rate R | --rates R1,R2 | --concurrency N"
        + " | --trace FILE) --out DIR [flags]\n\n" + Flags.help(FLAGS);
  }

  int run(List<String> args) throws UsageException, IOException, InterruptedException {
    Flags flags = Flags.parse(args, FLAGS);
    if (flags.has("help")) {
      out.print(usage());
      return 0;
    }
    URI url = url(flags.require("url", "the API root, such as http://127.0.0.1:8080/v1"));
    Path outDir = Path.of(flags.require("out", "a directory for the report files"));
    if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
      throw new UsageException("--out: " + outDir + " (expected: a directory, not a file)");
    }
    Endpoint endpoint;
    try {
      endpoint = flags.has("endpoint") ? Endpoint.parse(flags.get("endpoint")) : Endpoint.CHAT;
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage());
    }
    DriverOptions driver = DriverOptions.of(url)
        .withApiKey(flags.get("api-key"))
        .withEndpoint(endpoint)
        .withMaxInflight(flags.positiveInt("max-inflight", DriverOptions.DEFAULT_MAX_INFLIGHT))
        .withTimeout(flags.duration("timeout", DriverOptions.DEFAULT_TIMEOUT))
        .withPrefixTokens(flags.has("prefix-len") ? flags.positiveInt("prefix-len", 1) : -1)
        .withLean(flags.has("lean"));
    WorkloadFlags.Parsed parsed = WorkloadFlags.parse(flags);
    SloGoals goals = WorkloadFlags.sloGoals(flags);
    boolean progress = flags.has("progress") || System.console() != null;

    List<WorkloadOptions> runs = parsed.runs();
    boolean sweep = !parsed.sweepRates().isEmpty();
    ArrayNode sweepJson = JsonNodeFactory.instance.arrayNode();
    List<String[]> sweepRows = new ArrayList<>();
    long totalCompleted = 0;
    // Native epoll where it loads. NIO's selector waits whole milliseconds and polls without sleeping
    // for a timer due sooner, so open-loop arrivals 200 us apart kept one core busy polling (a whole
    // core of two, taken from the system under test); epoll's timers sleep to the microsecond.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      for (WorkloadOptions options : runs) {
        Workload workload = Workload.of(options);
        Path dir = sweep ? outDir.resolve("rate-" + number(rate(options))) : outDir;
        err.println("spillway-loadtest: " + options.arrival().describe() + " → " + driver.endpointUrl());
        RunResult result = await(LoadDriver.run(vertx, workload, driver, progress ? err : null));
        Summary summary = Summary.of(result.records(), goals, Summary.measuredDurationNanos(result.records()));
        Map<String, Object> metadata = metadata(options, driver, flags);
        Report.write(dir, summary, result.records(), metadata);
        result.firstErrors().forEach((kind, message) -> err.println("first " + kind + ": " + message));
        out.print(SummaryTable.render(summary));
        out.println("report: " + dir.resolve(Report.REPORT_HTML));
        totalCompleted += summary.completed();
        if (sweep) {
          sweepJson.add(SummaryJson.of(summary, metadata));
          sweepRows.add(sweepRow(rate(options), summary));
        }
      }
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        err.println("spillway-loadtest: Vert.x did not close cleanly: " + e);
      }
    }
    if (sweep) {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(outDir.resolve("sweep.json").toFile(), sweepJson);
      out.print(sweepTable(sweepRows));
    }
    if (totalCompleted == 0) {
      err.println("spillway-loadtest: no request completed");
      return 1;
    }
    return 0;
  }

  private static RunResult await(io.vertx.core.Future<RunResult> future) throws IOException, InterruptedException {
    try {
      return future.toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw new IOException("the run failed: " + e.getCause(), e.getCause());
    }
  }

  private static URI url(String text) throws UsageException {
    try {
      URI uri = new URI(text.trim());
      DriverOptions.of(uri); // validates the scheme and host
      return uri;
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new UsageException("--url: " + text + " (expected: an http or https URL such as http://127.0.0.1:8080/v1)");
    }
  }

  /** Run metadata, with vLLM's names where it has one. */
  private static Map<String, Object> metadata(WorkloadOptions options, DriverOptions driver, Flags flags) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("date", LocalDateTime.now().format(DATE));
    m.put("backend", "openai-compatible");
    m.put("endpoint_type", driver.endpoint() == Endpoint.CHAT ? "openai-chat" : "openai");
    m.put("base_url", driver.baseUrl().toString());
    m.put("model_id", options.models().toString());
    m.put("tenants", options.tenants().toString());
    m.put("tiers", options.tiers().map(t -> t.wireName()).toString());
    m.put("arrival", options.arrival().describe());
    Arrival arrival = options.arrival();
    Object rate = null;
    Object burstiness = null;
    Object concurrency = null;
    if (arrival instanceof Arrival.RateDriven) {
      rate = ((Arrival.RateDriven) arrival).ratePerSecond();
    }
    if (arrival instanceof Arrival.Gamma) {
      burstiness = ((Arrival.Gamma) arrival).burstiness();
    } else if (arrival instanceof Arrival.Poisson) {
      burstiness = 1.0;
    }
    if (arrival instanceof Arrival.ClosedLoop) {
      concurrency = ((Arrival.ClosedLoop) arrival).concurrency();
    }
    m.put("request_rate", rate);
    m.put("burstiness", burstiness);
    m.put("max_concurrency", concurrency);
    m.put("num_prompts", options.requests() == 0 ? null : (Object) options.requests());
    m.put("duration_limit_s", options.duration() == null ? null : (Object) (options.duration().toNanos() / 1e9));
    Object warmup = null;
    if (options.warmup().requests() > 0) {
      warmup = options.warmup().requests() + " requests";
    } else if (!options.warmup().isNone()) {
      warmup = options.warmup().duration().toMillis() / 1e3 + " s";
    }
    m.put("warmup", warmup);
    m.put("input_len", options.inputLength().text());
    m.put("output_len", options.outputLength().text());
    m.put("prefix_ratio", options.prefixRatio());
    m.put("prefix_groups", options.prefixGroups());
    m.put("stream", options.stream());
    m.put("seed", options.seed());
    m.put("max_inflight", driver.maxInflight());
    m.put("lean", driver.lean());
    m.put("command_line", "run " + String.join(" ", redacted(flags)));
    return m;
  }

  private static List<String> redacted(Flags flags) {
    List<String> words = new ArrayList<>();
    for (Flag flag : FLAGS) {
      if (flags.has(flag.name())) {
        words.add("--" + flag.name());
        if (flag.value() != null) {
          words.add(flag.name().equals("api-key") ? "***" : flags.get(flag.name()));
        }
      }
    }
    return words;
  }

  private static double rate(WorkloadOptions options) {
    return options.arrival() instanceof Arrival.RateDriven
        ? ((Arrival.RateDriven) options.arrival()).ratePerSecond()
        : Double.NaN;
  }

  private static String[] sweepRow(double rate, Summary s) {
    return new String[] {
      number(rate), Long.toString(s.completed()), Long.toString(s.failed()),
      f(s.requestThroughput()), f(s.outputThroughput()), f(s.ttft().medianMs()), f(s.ttft().p99Ms()),
      f(s.tpot().medianMs()), f(s.e2el().p99Ms()), s.goals().any() ? f(s.requestGoodput()) : "-",
      s.scheduleLag().behindSchedule() ? "yes" : "no"
    };
  }

  private static String sweepTable(List<String[]> rows) {
    String[] header = {"rate", "done", "failed", "req/s", "tok/s", "ttft p50", "ttft p99", "tpot p50",
        "e2e p99", "goodput", "behind"};
    StringBuilder text = new StringBuilder("\nSweep (latencies in ms)\n");
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] row : all) {
      for (String cell : row) {
        text.append(String.format(Locale.ROOT, "%10s", cell));
      }
      text.append('\n');
    }
    return text.toString();
  }

  private static String f(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  @SafeVarargs
  private static List<Flag> concat(List<Flag>... lists) {
    List<Flag> all = new ArrayList<>();
    for (List<Flag> list : lists) {
      all.addAll(list);
    }
    return List.copyOf(all);
  }

}
