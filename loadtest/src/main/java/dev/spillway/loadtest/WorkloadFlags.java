package dev.spillway.loadtest;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.Flags.Flag;
import dev.spillway.loadtest.metrics.SloGoals;
import dev.spillway.loadtest.workload.Arrival;
import dev.spillway.loadtest.workload.LengthSpec;
import dev.spillway.loadtest.workload.Mix;
import dev.spillway.loadtest.workload.Trace;
import dev.spillway.loadtest.workload.Warmup;
import dev.spillway.loadtest.workload.WorkloadOptions;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The flags that describe a workload and its objectives, mapped to {@link WorkloadOptions} and
 * {@link SloGoals}: shared by {@code run} and the commands that replay the same workloads in virtual
 * time. Every error names its flag.
 */
public final class WorkloadFlags {

  public static final List<Flag> FLAGS = List.of(
      Flag.valued("model", "M", "the model every request names (or --models)"),
      Flag.valued("models", "M=W,..", "a weighted mix of models, e.g. llama=0.7,mistral=0.3"),
      Flag.valued("tenants", "T=W,..", "a weighted mix of tenants (sent as x-spillway-tenant); default anonymous"),
      Flag.valued("tiers", "TIER=W,..", "a weighted mix of service tiers: priority, default, flex, batch"),
      Flag.valued("rate", "R", "open loop at R requests/s (see --arrival)"),
      Flag.valued("rates", "R1,R2,..", "a sweep: one open-loop run per rate"),
      Flag.valued("concurrency", "N", "closed loop: N clients, each sending when its last request ended"),
      Flag.valued("trace", "FILE", "replay an Azure LLM trace CSV (TIMESTAMP,ContextTokens,GeneratedTokens)"),
      Flag.valued("time-scale", "F", "with --trace: multiply trace gaps by F (0.5 = twice as fast); default 1"),
      Flag.valued("arrival", "KIND", "poisson (default), gamma or constant; with --rate/--rates"),
      Flag.valued("burstiness", "B", "gamma shape (vLLM --burstiness): 1 = Poisson, < 1 burstier; implies gamma"),
      Flag.valued("requests", "N", "requests to send, warm-up included (default 1000; a trace: all rows)"),
      Flag.valued("duration", "D", "send arrivals for D (90s, 5m, ...); with --requests, whichever ends first"),
      Flag.valued("warmup", "N|D", "the first N requests, or those starting in the first D (10s), are not measured"),
      Flag.valued("input-len", "SPEC", "prompt tokens: 512, uniform:MIN:MAX, normal:MEAN:STD, lognormal:MEAN:SIGMA, trace"),
      Flag.valued("output-len", "SPEC", "output tokens (max_tokens with ignore_eos), same SPEC forms; default 128"),
      Flag.valued("prefix-ratio", "F", "share of requests (0..1) in a shared-prefix group; default 0"),
      Flag.valued("prefix-groups", "N", "how many shared-prefix groups; default 4"),
      Flag.bool("no-stream", "send stream: false (TTFT is then the whole response)"),
      Flag.valued("seed", "S", "seed of every random draw; default 0"));

  public static final List<Flag> SLO_FLAGS = List.of(
      Flag.valued("slo-ttft-ms", "X", "goodput objective: TTFT at most X ms"),
      Flag.valued("slo-tpot-ms", "Y", "goodput objective: TPOT at most Y ms"),
      Flag.valued("slo-e2e-ms", "Z", "goodput objective: end-to-end latency at most Z ms"));

  /**
   * The workload, and for a sweep ({@code --rates}) the rates to run it at, in order.
   *
   * @param sweepRates empty unless {@code --rates} was given
   */
  public record Parsed(WorkloadOptions options, List<Double> sweepRates) {

    /** One options value per run: each sweep rate, or just the options. */
    public List<WorkloadOptions> runs() {
      if (sweepRates.isEmpty()) {
        return List.of(options);
      }
      List<WorkloadOptions> runs = new ArrayList<>();
      for (double rate : sweepRates) {
        runs.add(options.withRate(rate));
      }
      return runs;
    }
  }

  private WorkloadFlags() {}

  public static Parsed parse(Flags flags) throws UsageException {
    int loads = count(flags, "rate", "rates", "concurrency", "trace");
    if (loads != 1) {
      throw new UsageException(
          "--rate, --rates, --concurrency, --trace: " + (loads == 0 ? "none given" : "more than one given")
              + " (expected: exactly one of them)");
    }
    List<Double> rates = flags.positiveDoubles("rates");
    Arrival arrival = arrival(flags, rates);
    boolean replay = arrival instanceof Arrival.Replay;

    long requests = flags.positiveLong("requests", 0);
    Duration duration = flags.duration("duration", null);
    if (requests == 0 && duration == null && !replay) {
      requests = 1000;
    }

    WorkloadOptions.Builder builder = WorkloadOptions.builder(arrival, "-")
        .models(models(flags))
        .requests(requests)
        .duration(duration)
        .warmup(warmup(flags))
        .inputLength(length(flags, "input-len", replay ? LengthSpec.TRACE : new LengthSpec.Fixed(1024), replay))
        .outputLength(length(flags, "output-len", replay ? LengthSpec.TRACE : new LengthSpec.Fixed(128), replay))
        .prefixRatio(flags.fraction("prefix-ratio", 0))
        .prefixGroups(flags.positiveInt("prefix-groups", 4))
        .stream(!flags.has("no-stream"))
        .seed(flags.anyLong("seed", 0));
    if (flags.has("tenants")) {
      builder.tenants(mix(flags, "tenants"));
    }
    if (flags.has("tiers")) {
      Mix<String> names = mix(flags, "tiers");
      try {
        builder.tiers(names.map(ServiceTier::fromWire));
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            "--tiers: " + flags.get("tiers") + " (expected: NAME=WEIGHT,... with names priority, default, flex or batch)");
      }
    }
    try {
      return new Parsed(builder.build(), rates);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  public static SloGoals sloGoals(Flags flags) throws UsageException {
    return new SloGoals(flags.millis("slo-ttft-ms"), flags.millis("slo-tpot-ms"), flags.millis("slo-e2e-ms"));
  }

  private static Arrival arrival(Flags flags, List<Double> rates) throws UsageException {
    boolean rateDriven = flags.has("rate") || flags.has("rates");
    if (!rateDriven) {
      for (String only : new String[] {"arrival", "burstiness"}) {
        if (flags.has(only)) {
          throw new UsageException("--" + only + ": " + flags.get(only) + " (expected: only with --rate or --rates)");
        }
      }
    }
    if (!flags.has("trace") && flags.has("time-scale")) {
      throw new UsageException("--time-scale: " + flags.get("time-scale") + " (expected: only with --trace)");
    }
    if (flags.has("concurrency")) {
      return new Arrival.ClosedLoop(flags.positiveInt("concurrency", 1));
    }
    if (flags.has("trace")) {
      Path file = Path.of(flags.get("trace"));
      if (!Files.isReadable(file)) {
        throw new UsageException("--trace: " + file + " (expected: a readable CSV file)");
      }
      Trace trace;
      try {
        trace = Trace.readAzureCsv(file);
      } catch (IllegalArgumentException | UncheckedIOException e) {
        throw new UsageException("--trace: " + e.getMessage());
      }
      return new Arrival.Replay(trace, flags.positiveDouble("time-scale", 1));
    }
    double rate = flags.has("rate") ? flags.positiveDouble("rate", 1) : rates.get(0);
    String kind = flags.get("arrival");
    if (kind == null) {
      kind = flags.has("burstiness") ? "gamma" : "poisson";
    }
    switch (kind.toLowerCase(Locale.ROOT)) {
      case "poisson":
        rejectBurstiness(flags, "poisson");
        return new Arrival.Poisson(rate);
      case "constant":
        rejectBurstiness(flags, "constant");
        return new Arrival.Constant(rate);
      case "gamma":
        return new Arrival.Gamma(rate, flags.positiveDouble("burstiness", 1));
      default:
        throw new UsageException("--arrival: " + kind + " (expected: poisson, gamma or constant)");
    }
  }

  private static void rejectBurstiness(Flags flags, String kind) throws UsageException {
    if (flags.has("burstiness")) {
      throw new UsageException(
          "--burstiness: " + flags.get("burstiness") + " (expected: only with --arrival gamma, not " + kind + ")");
    }
  }

  private static Mix<String> models(Flags flags) throws UsageException {
    if (flags.has("model") && flags.has("models")) {
      throw new UsageException("--model, --models: both given (expected: one of them)");
    }
    if (flags.has("models")) {
      return mix(flags, "models");
    }
    return Mix.of(flags.require("model", "the model name requests send, or --models M1=W1,M2=W2").trim());
  }

  private static Mix<String> mix(Flags flags, String name) throws UsageException {
    try {
      return Mix.parse(flags.require(name, "NAME=WEIGHT,..."), "--" + name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Warmup warmup(Flags flags) throws UsageException {
    String text = flags.get("warmup");
    if (text == null) {
      return Warmup.NONE;
    }
    Duration duration = Flags.parseDuration(text, true);
    if (duration != null) {
      return Warmup.duration(duration);
    }
    try {
      long requests = Long.parseLong(text.trim());
      if (requests >= 0) {
        return Warmup.requests(requests);
      }
    } catch (NumberFormatException e) {
      // one message below
    }
    throw new UsageException("--warmup: " + text + " (expected: a request count such as 50 or a duration such as 10s)");
  }

  private static LengthSpec length(Flags flags, String name, LengthSpec otherwise, boolean replay)
      throws UsageException {
    String text = flags.get(name);
    if (text == null) {
      return otherwise;
    }
    LengthSpec spec;
    try {
      spec = LengthSpec.parse(text, "--" + name);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (spec instanceof LengthSpec.FromTrace && !replay) {
      throw new UsageException("--" + name + ": trace (expected: lengths from a trace only with --trace)");
    }
    return spec;
  }

  private static int count(Flags flags, String... names) {
    int n = 0;
    for (String name : names) {
      if (flags.has(name)) {
        n++;
      }
    }
    return n;
  }
}
