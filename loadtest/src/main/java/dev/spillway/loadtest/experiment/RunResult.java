package dev.spillway.loadtest.experiment;

import static java.util.Objects.requireNonNull;

import dev.spillway.loadtest.metrics.PredictionErrors;
import dev.spillway.loadtest.metrics.Summary;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run of an experiment, simulated or live: a routing policy (or a baseline fleet) at one rate.
 *
 * @param name the policy's name, or the baseline fleet's: {@code equal-cost p5.48xlarge ×18}
 * @param policy the routing policy the run used
 * @param accelerator the baseline's only accelerator; null for a policy run over the mixed fleet
 * @param window the arrival window of the measured requests and the output streamed within it
 * @param fleetCostPerHour every replica of the run's fleet, USD per hour
 * @param summary the run's metrics, warm-up excluded
 * @param predictionErrors per pool, how far the predictions the router bound requests on were from
 *     what happened: over the measured requests in simulation; live, over each pool's most recent
 *     finished requests as the gateway's {@code /admin/pools} reports them at the end of the run
 * @param wallSeconds how long the run took on this machine
 */
public record RunResult(
    String name,
    Kind kind,
    String policy,
    String accelerator,
    double rate,
    Window window,
    double fleetCostPerHour,
    Summary summary,
    Map<String, PredictionErrors> predictionErrors,
    double wallSeconds) {

  /** A routing policy over the experiment's fleet, or one equal-cost single-accelerator fleet. */
  public enum Kind {
    POLICY,
    BASELINE;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The span from the first to the last intended start of the measured requests, and what happened in
   * it. A finite run also has a ramp-up before it (the warm-up) and a drain after it; measuring over
   * this window leaves the drain out, which would otherwise weigh more on fleets whose slowest request
   * takes longer.
   *
   * @param requests measured requests
   * @param outputTokens tokens streamed within the window, by any request (warm-up included)
   */
  public record Window(double seconds, long requests, long outputTokens) {

    /** The realised arrival rate, (n − 1) / span: the offered rate up to sampling noise. */
    public double arrivalRate() {
      return requests < 2 || seconds <= 0 ? 0 : (requests - 1) / seconds;
    }
  }

  public RunResult {
    requireNonNull(name, "name");
    requireNonNull(window, "window");
    requireNonNull(kind, "kind");
    requireNonNull(policy, "policy");
    requireNonNull(summary, "summary");
    predictionErrors =
        Collections.unmodifiableMap(new TreeMap<>(requireNonNull(predictionErrors, "predictionErrors")));
  }

  /** Measured requests (warm-up excluded), finished or failed. */
  public long measured() {
    return summary.completed() + summary.failed();
  }

  /** The fraction of measured requests that completed and met every SLO goal. */
  public double sloAttainment() {
    return measured() == 0 ? 0 : (double) summary.goodRequests() / measured();
  }

  /**
   * Requests per second that completed and met every goal, over the arrival window: attainment times
   * the arrival rate. Unlike {@link #goodputOverDuration()} it is not lowered by the drain after the
   * last arrival, which in a finite run weighs more the longer a fleet's slowest request takes, so
   * fleets that decode at different speeds compare fairly.
   */
  public double goodput() {
    return sloAttainment() * window.arrivalRate();
  }

  /** vLLM's {@code request_goodput}: good requests over the measured duration, drain included. */
  public double goodputOverDuration() {
    return summary.requestGoodput();
  }

  /**
   * What the engines' busy steps cost per million output tokens: each step's share of its replica's
   * price, summed over the requests. Idle replicas cost nothing here.
   */
  public double costPerMillionOutputTokens() {
    return summary.costs().costPerMillionOutputTokensUsd();
  }

  /**
   * What the whole fleet costs per million output tokens it streams: every replica, busy or idle, over
   * the arrival window, divided by the tokens streamed in that window. In steady state below
   * saturation every fleet streams the offered tokens, so fleets of equal price cost the same here;
   * they differ once one saturates. NaN without output in the window.
   */
  public double fleetCostPerMillionOutputTokens() {
    return window.outputTokens() == 0
        ? Double.NaN
        : fleetCostPerHour / 3600 * window.seconds() / window.outputTokens() * 1e6;
  }

  public double pricePerMillionOutputTokens() {
    return summary.costs().pricePerMillionOutputTokensUsd();
  }

  /** Each pool's share of the completed requests, by pool name. */
  public Map<String, Double> poolShares() {
    Map<String, Double> shares = new LinkedHashMap<>();
    summary.pools().forEach((pool, share) -> shares.put(pool, share.share()));
    return shares;
  }
}
