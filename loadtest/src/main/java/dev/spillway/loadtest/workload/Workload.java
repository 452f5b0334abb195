package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A deterministic schedule of requests: the same options (seed included) always give the same
 * sequence of {@link PlannedRequest}s. Iteration is lazy, so a long run or a closed loop limited only by
 * time never holds its whole schedule.
 *
 * <p>Implementation notes. Arrival gaps come from one random stream seeded from the seed; each
 * request's attributes (lengths, model, tenant, tier, prefix group) from a stream seeded from the seed
 * and the request's index. Changing the arrival process therefore leaves every request's content
 * unchanged, and a rate sweep compares like with like. Open-loop schedules start at 0: the first
 * request is due at once.
 */
public final class Workload implements Iterable<PlannedRequest> {

  private static final long ARRIVAL_STREAM = -1;

  private final WorkloadOptions options;

  private Workload(WorkloadOptions options) {
    this.options = options;
  }

  public static Workload of(WorkloadOptions options) {
    return new Workload(requireNonNull(options, "options"));
  }

  /** One workload per rate, everything else equal: a sweep. */
  public static List<Workload> sweep(WorkloadOptions options, List<Double> ratesPerSecond) {
    List<Workload> runs = new ArrayList<>(ratesPerSecond.size());
    for (double rate : ratesPerSecond) {
      runs.add(of(options.withRate(rate)));
    }
    return runs;
  }

  public WorkloadOptions options() {
    return options;
  }

  public boolean openLoop() {
    return options.arrival().openLoop();
  }

  /** Whether iteration ends by itself; false only for a closed loop limited by time alone. */
  public boolean bounded() {
    return openLoop() || options.requests() > 0;
  }

  /** A fresh iterator over the schedule, from the first request. */
  @Override
  public Iterator<PlannedRequest> iterator() {
    return new Schedule();
  }

  /** The whole schedule, for bounded workloads. */
  public List<PlannedRequest> plan() {
    if (!bounded()) {
      throw new IllegalStateException(
          "workload: a closed loop limited only by duration (expected: a request count to plan it whole)");
    }
    List<PlannedRequest> plan = new ArrayList<>();
    iterator().forEachRemaining(plan::add);
    return plan;
  }

  /** The request at {@code index} with its intended start; attributes depend on the index only. */
  private PlannedRequest request(long index, long startNanos, Trace.Entry traced) {
    SplittableRandom random = new SplittableRandom(Sampling.mix(options.seed(), index));
    int prompt =
        options.inputLength() instanceof LengthSpec.FromTrace
            ? traced.contextTokens()
            : options.inputLength().sample(random);
    int output =
        options.outputLength() instanceof LengthSpec.FromTrace
            ? traced.generatedTokens()
            : options.outputLength().sample(random);
    String model = options.models().pick(random);
    String tenant = options.tenants().pick(random);
    ServiceTier tier = options.tiers().pick(random);
    int prefixGroup = -1;
    if (options.prefixRatio() > 0 && random.nextDouble() < options.prefixRatio()) {
      prefixGroup = random.nextInt(options.prefixGroups());
    }
    boolean warmup = options.warmup().covers(index, startNanos);
    return new PlannedRequest(
        index, startNanos, model, tenant, tier, prompt, output, prefixGroup, options.stream(), warmup);
  }

  private final class Schedule implements Iterator<PlannedRequest> {
    private final SplittableRandom arrivals =
        new SplittableRandom(Sampling.mix(options.seed(), ARRIVAL_STREAM));
    private final long durationNanos =
        options.duration() == null ? Long.MAX_VALUE : options.duration().toNanos();
    private long index;
    /** The next request's intended start, in exact seconds to avoid rounding drift. */
    private double nextStartSeconds;

    @Override
    public boolean hasNext() {
      if (options.requests() > 0 && index >= options.requests()) {
        return false;
      }
      Arrival arrival = options.arrival();
      if (arrival instanceof Arrival.Replay) {
        Arrival.Replay replay = (Arrival.Replay) arrival;
        return index < replay.trace().entries().size() && replayStart(replay) < durationNanos;
      }
      if (arrival instanceof Arrival.ClosedLoop) {
        return true; // a closed loop limited by time: the driver stops asking
      }
      return nanos(nextStartSeconds) < durationNanos;
    }

    @Override
    public PlannedRequest next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Arrival arrival = options.arrival();
      PlannedRequest request;
      if (arrival instanceof Arrival.Replay) {
        Arrival.Replay replay = (Arrival.Replay) arrival;
        request = request(index, replayStart(replay), replay.trace().entries().get((int) index));
      } else if (arrival instanceof Arrival.ClosedLoop) {
        request = request(index, -1, null);
      } else {
        request = request(index, nanos(nextStartSeconds), null);
        nextStartSeconds += ((Arrival.RateDriven) arrival).nextGapSeconds(arrivals);
      }
      index++;
      return request;
    }

    private long replayStart(Arrival.Replay replay) {
      return Math.round(replay.trace().entries().get((int) index).offsetNanos() * replay.timeScale());
    }
  }

  private static long nanos(double seconds) {
    return Math.round(seconds * 1e9);
  }
}
