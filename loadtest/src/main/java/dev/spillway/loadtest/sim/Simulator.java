package dev.spillway.loadtest.sim;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.emulator.TokenText;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.core.GatewayCore;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.core.GatewayListener;
import dev.spillway.gateway.core.GatewayRequest;
import dev.spillway.gateway.core.PoolBill;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.workload.PlannedRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Runs a workload against a {@link GatewayCore} on a {@link VirtualClock}: the same flow controller,
 * router and batcher that serve live traffic, over emulated engines, with no HTTP. Open-loop requests
 * are submitted at their intended times; closed-loop clients send the next request the moment the
 * previous one ends. Records are in the same form as the HTTP driver's, so the same metrics and
 * reports apply.
 *
 * <p>Requests are fed lazily from an iterator, one scheduled event ahead, and records can go to a sink
 * as requests end, so a run of millions of requests holds only the requests in flight.
 */
public final class Simulator {

  private final GatewayConfig config;
  private final Profiles profiles;

  public Simulator(GatewayConfig config, Profiles profiles) {
    this.config = requireNonNull(config, "config");
    this.profiles = requireNonNull(profiles, "profiles");
  }

  /**
   * The outcome of a run: per-request records, the virtual time it took, and each pool's bill.
   *
   * @param pools each pool's replica-seconds over the run and the changes of its replica count, in
   *     configuration order; a run with autoscaled pools ends when they are back at their minimum
   */
  public record Result(
      List<RequestRecord> records, long durationNanos, long events, List<PoolBill> pools) {

    /** The bill of the pool named {@code pool}. */
    public PoolBill pool(String pool) {
      return Simulator.pool(pools, pool);
    }
  }

  /**
   * The outcome of a run whose records went to a sink: how many, the virtual time it took, and each
   * pool's bill (as {@link Result#pools}).
   */
  public record Totals(long requests, long durationNanos, long events, List<PoolBill> pools) {

    /** The bill of the pool named {@code pool}. */
    public PoolBill pool(String pool) {
      return Simulator.pool(pools, pool);
    }
  }

  private static PoolBill pool(List<PoolBill> pools, String name) {
    for (PoolBill bill : pools) {
      if (bill.pool().equals(name)) {
        return bill;
      }
    }
    throw new IllegalArgumentException("pool: " + name + " (expected one of: "
        + pools.stream().map(PoolBill::pool).toList() + ")");
  }

  /** Open loop: every request is submitted at its {@code intendedStartNanos}. */
  public Result runOpenLoop(Iterator<PlannedRequest> workload) {
    List<RequestRecord> records = new ArrayList<>();
    Totals totals = runOpenLoop(workload, records::add);
    return new Result(records, totals.durationNanos(), totals.events(), totals.pools());
  }

  /**
   * Open loop, each request's record handed to {@code sink} as the request ends (in the order they
   * end), so the run keeps none of them.
   */
  public Totals runOpenLoop(Iterator<PlannedRequest> workload, Consumer<RequestRecord> sink) {
    VirtualClock clock = new VirtualClock();
    GatewayCore core = core(clock);
    Counting records = new Counting(sink);
    scheduleNext(workload, clock, core, records);
    clock.run();
    return new Totals(
        records.count, clock.nanoTime(), clock.executed(), core.bills().toCompletableFuture().join());
  }

  /**
   * Closed loop: {@code clients} clients each take the next request from {@code workload} when their
   * previous one ends, ignoring its intended start.
   */
  public Result runClosedLoop(Iterator<PlannedRequest> workload, int clients) {
    List<RequestRecord> records = new ArrayList<>();
    Totals totals = runClosedLoop(workload, clients, records::add);
    return new Result(records, totals.durationNanos(), totals.events(), totals.pools());
  }

  /** Closed loop, each request's record handed to {@code sink} as the request ends. */
  public Totals runClosedLoop(Iterator<PlannedRequest> workload, int clients, Consumer<RequestRecord> sink) {
    if (clients < 1) {
      throw new IllegalArgumentException("clients: " + clients + " (expected: >= 1)");
    }
    VirtualClock clock = new VirtualClock();
    GatewayCore core = core(clock);
    Counting records = new Counting(sink);
    for (int c = 0; c < clients; c++) {
      clock.schedule(0, () -> nextForClient(workload, clock, core, records));
    }
    clock.run();
    return new Totals(
        records.count, clock.nanoTime(), clock.executed(), core.bills().toCompletableFuture().join());
  }

  /** The run's sink, counting what passes. */
  private static final class Counting implements Consumer<RequestRecord> {
    private final Consumer<RequestRecord> sink;
    private long count;

    Counting(Consumer<RequestRecord> sink) {
      this.sink = requireNonNull(sink, "sink");
    }

    @Override
    public void accept(RequestRecord record) {
      count++;
      sink.accept(record);
    }
  }

  private GatewayCore core(VirtualClock clock) {
    // A record keeps when each token came, not what it said: the replicas skip writing free text.
    BackendContext context =
        new BackendContext(clock, Map.of(Profiles.class, profiles, TokenText.class, TokenText.SKIPPED));
    return new GatewayCore(config, clock, context, GatewayMetrics.NOOP);
  }

  private void scheduleNext(
      Iterator<PlannedRequest> workload, VirtualClock clock, GatewayCore core, Consumer<RequestRecord> records) {
    if (!workload.hasNext()) {
      return;
    }
    PlannedRequest planned = workload.next();
    clock.schedule(
        Math.max(planned.intendedStartNanos(), clock.nanoTime()),
        () -> {
          submit(planned, clock.nanoTime(), clock, core, records, null);
          scheduleNext(workload, clock, core, records);
        });
  }

  private void nextForClient(
      Iterator<PlannedRequest> workload, VirtualClock clock, GatewayCore core, Consumer<RequestRecord> records) {
    if (!workload.hasNext()) {
      return;
    }
    PlannedRequest planned = workload.next();
    submit(planned, clock.nanoTime(), clock, core, records, () -> nextForClient(workload, clock, core, records));
  }

  private static void submit(
      PlannedRequest planned, long intended, VirtualClock clock, GatewayCore core,
      Consumer<RequestRecord> records, Runnable onEnd) {
    GatewayRequest request =
        new GatewayRequest(
            "sim-" + planned.index(), planned.model(), planned.promptTokens(), planned.outputTokens(),
            "", planned.prefixGroup() >= 0 ? 0x9E3779B97F4A7C15L * (planned.prefixGroup() + 1) : planned.index(),
            new SamplingParams(1.0, 1.0, OptionalLong.of(planned.index()), List.of()),
            planned.tier(), planned.tenant(), Optional.empty(), false);
    core.submit(request, new Recording(planned, intended, clock, records, onEnd));
  }

  /** Turns one request's events into a {@link RequestRecord}. */
  private static final class Recording implements GatewayListener {
    private final PlannedRequest planned;
    private final long intended;
    private final VirtualClock clock;
    private final Consumer<RequestRecord> records;
    private final Runnable onEnd;
    private long[] tokens;
    private int count;
    private String pool = "";

    Recording(
        PlannedRequest planned, long intended, VirtualClock clock, Consumer<RequestRecord> records,
        Runnable onEnd) {
      this.planned = planned;
      this.intended = intended;
      this.clock = clock;
      this.records = records;
      this.onEnd = onEnd;
      this.tokens = new long[Math.max(1, planned.outputTokens())];
    }

    @Override
    public void onBound(Binding binding) {
      pool = binding.pool();
    }

    @Override
    public void onToken(TokenEvent.Token token) {
      if (count == tokens.length) {
        tokens = Arrays.copyOf(tokens, count * 2);
      }
      tokens[count++] = token.atNanos();
    }

    @Override
    public void onFinish(TokenEvent.Finish finish, Binding binding) {
      long[] times = count == tokens.length ? tokens : Arrays.copyOf(tokens, count);
      long first = count > 0 ? times[0] : finish.atNanos();
      end(new RequestRecord(
          planned.index(), planned.model(), planned.tenant(), planned.tier().wireName(),
          finish.usage().promptTokens(), planned.outputTokens(), intended, intended, first,
          finish.atNanos(), times, finish.usage().completionTokens(), null, binding.pool(),
          finish.costUsd(), finish.priceUsd(), planned.warmup(), intended + binding.queuedNanos(),
          binding.predicted().ttft().toNanos(), binding.predicted().tpot().toNanos()));
    }

    @Override
    public void onError(GatewayError error) {
      long now = clock.nanoTime();
      end(new RequestRecord(
          planned.index(), planned.model(), planned.tenant(), planned.tier().wireName(),
          planned.promptTokens(), planned.outputTokens(), intended, intended,
          count > 0 ? tokens[0] : now, now, Arrays.copyOf(tokens, count), count,
          errorKind(error), pool, 0, 0, planned.warmup()));
    }

    /**
     * As an HTTP client of the gateway would classify it: an error before the first token is the
     * status it answers with, one after it breaks a stream that had already answered 200.
     */
    private static String errorKind(GatewayError error) {
      return error.afterFirstToken() ? "stream_error" : "http_" + error.kind().status();
    }

    private void end(RequestRecord record) {
      records.accept(record);
      if (onEnd != null) {
        onEnd.run();
      }
    }
  }
}
