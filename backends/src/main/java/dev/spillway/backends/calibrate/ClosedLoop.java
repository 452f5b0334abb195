package dev.spillway.backends.calibrate;

import dev.spillway.backends.emulator.Engine;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.VirtualClock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Runs a scenario on one engine on a virtual clock: {@code clients} closed-loop clients, each sending
 * its next request the moment the previous one finishes, for {@link #ROUNDS} requests. The first request
 * of each client is warm-up. Measured: median TTFT and mean TPOT over the rest, and output throughput
 * over the window in which every client is past warm-up and none has finished.
 */
final class ClosedLoop {

  static final int ROUNDS = 4;

  /** What the engine did, in the units of targets.csv. */
  record Measured(double ttftMs, double tpotMs, double throughputTokS) {}

  private ClosedLoop() {}

  static Measured run(Scenario scenario, Profiles profiles) {
    VirtualClock clock = new VirtualClock();
    Engine engine =
        new Engine("calibration", scenario.deployment(), clock, profiles.prices(), scenario.batchSize());
    int clients = scenario.clients();
    List<double[]> samples = new ArrayList<>();
    long[] warmEnd = new long[clients];
    long[] lastEnd = new long[clients];
    List<long[]> tokenTimes = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      new Client(c, scenario, engine, clock, samples, warmEnd, lastEnd, tokenTimes).send(0);
    }
    clock.run();
    long windowStart = Arrays.stream(warmEnd).max().orElse(0);
    long windowEnd = Arrays.stream(lastEnd).min().orElse(0);
    long tokens = 0;
    if (windowEnd > windowStart) {
      for (long[] times : tokenTimes) {
        for (long t : times) {
          if (t > windowStart && t <= windowEnd) {
            tokens++;
          }
        }
      }
    } else {
      windowStart = 0;
      windowEnd = clock.nanoTime();
      for (long[] times : tokenTimes) {
        tokens += times.length;
      }
    }
    double[] ttft = samples.stream().mapToDouble(s -> s[0]).sorted().toArray();
    double tpot = samples.stream().mapToDouble(s -> s[1]).average().orElse(Double.NaN);
    double median =
        ttft.length == 0
            ? Double.NaN
            : ttft.length % 2 == 1
                ? ttft[ttft.length / 2]
                : (ttft[ttft.length / 2 - 1] + ttft[ttft.length / 2]) / 2;
    double throughput = tokens / ((windowEnd - windowStart) / 1e9);
    return new Measured(median, tpot, throughput);
  }

  private static final class Client {
    private final int id;
    private final Scenario scenario;
    private final Engine engine;
    private final VirtualClock clock;
    private final List<double[]> samples;
    private final long[] warmEnd;
    private final long[] lastEnd;
    private final List<long[]> tokenTimes;

    Client(
        int id, Scenario scenario, Engine engine, VirtualClock clock, List<double[]> samples,
        long[] warmEnd, long[] lastEnd, List<long[]> tokenTimes) {
      this.id = id;
      this.scenario = scenario;
      this.engine = engine;
      this.clock = clock;
      this.samples = samples;
      this.warmEnd = warmEnd;
      this.lastEnd = lastEnd;
      this.tokenTimes = tokenTimes;
    }

    void send(int round) {
      long sent = clock.nanoTime();
      long[] times = new long[scenario.outputTokens()];
      InferenceRequest request =
          new InferenceRequest(
              id + "-" + round, scenario.deployment().model().name(), scenario.inputTokens(),
              scenario.outputTokens(), "", 0,
              new SamplingParams(1.0, 1.0, OptionalLong.of(id * 1000L + round), List.of()),
              ServiceTier.DEFAULT, "calibration", InferenceRequest.NO_DEADLINE);
      engine.submit(
          request,
          event -> {
            if (event instanceof TokenEvent.Token) {
              TokenEvent.Token token = (TokenEvent.Token) event;
              times[token.index()] = token.atNanos();
            } else if (event instanceof TokenEvent.Finish) {
              long end = event.atNanos();
              int n = ((TokenEvent.Finish) event).usage().completionTokens();
              if (round == 0) {
                warmEnd[id] = end;
              } else {
                double ttftMs = (times[0] - sent) / 1e6;
                double tpotMs = n > 1 ? (times[n - 1] - times[0]) / 1e6 / (n - 1) : Double.NaN;
                samples.add(new double[] {ttftMs, tpotMs});
              }
              tokenTimes.add(Arrays.copyOf(times, n));
              if (round + 1 < ROUNDS) {
                send(round + 1);
              } else {
                lastEnd[id] = end;
              }
            } else {
              throw new IllegalStateException(
                  scenario.row().label() + ": " + ((TokenEvent.Failure) event).error().getMessage());
            }
          });
    }
  }
}
