package dev.spillway.loadtest.workload;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.ServiceTier;
import java.time.Duration;

/**
 * Everything that decides a workload's schedule. Validated once, here.
 *
 * @param requests most requests to plan, warm-up included; 0 for no count limit
 * @param duration plan arrivals that start before this (open loop), or stop sending after it (closed
 *     loop); null for no time limit. At least one limit is required, except for a trace, which ends.
 * @param inputLength prompt tokens; {@link LengthSpec#TRACE} only with a trace
 * @param outputLength output tokens ({@code max_tokens}, sent with {@code ignore_eos})
 * @param prefixRatio the share of requests, 0 to 1, that belong to one of {@code prefixGroups} groups
 *     whose prompts share a leading prefix
 * @param seed every random draw derives from it: the same options give the same schedule
 */
public record WorkloadOptions(
    Arrival arrival,
    long requests,
    Duration duration,
    Warmup warmup,
    LengthSpec inputLength,
    LengthSpec outputLength,
    Mix<String> models,
    Mix<String> tenants,
    Mix<ServiceTier> tiers,
    double prefixRatio,
    int prefixGroups,
    boolean stream,
    long seed) {

  /** The tenant of requests when no mix is given; the gateway's name for a request without one. */
  public static final String DEFAULT_TENANT = "anonymous";

  public WorkloadOptions {
    requireNonNull(arrival, "arrival");
    requireNonNull(warmup, "warmup");
    requireNonNull(inputLength, "inputLength");
    requireNonNull(outputLength, "outputLength");
    requireNonNull(models, "models");
    requireNonNull(tenants, "tenants");
    requireNonNull(tiers, "tiers");
    if (requests < 0) {
      throw new IllegalArgumentException("requests: " + requests + " (expected: >= 0, 0 for no limit)");
    }
    if (duration != null && (duration.isNegative() || duration.isZero())) {
      throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
    }
    if (requests == 0 && duration == null && !(arrival instanceof Arrival.Replay)) {
      throw new IllegalArgumentException(
          "requests: 0 and no duration (expected: a request count, a duration, or both)");
    }
    boolean replay = arrival instanceof Arrival.Replay;
    if (!replay && (inputLength instanceof LengthSpec.FromTrace || outputLength instanceof LengthSpec.FromTrace)) {
      throw new IllegalArgumentException(
          "length: trace (expected: lengths from a trace only when replaying one)");
    }
    if (!(prefixRatio >= 0 && prefixRatio <= 1)) {
      throw new IllegalArgumentException("prefixRatio: " + prefixRatio + " (expected: 0 to 1)");
    }
    if (prefixGroups < 1) {
      throw new IllegalArgumentException("prefixGroups: " + prefixGroups + " (expected: >= 1)");
    }
  }

  public static Builder builder(Arrival arrival, String model) {
    return new Builder(arrival, Mix.of(model));
  }

  public Builder toBuilder() {
    Builder b = new Builder(arrival, models);
    b.requests = requests;
    b.duration = duration;
    b.warmup = warmup;
    b.inputLength = inputLength;
    b.outputLength = outputLength;
    b.tenants = tenants;
    b.tiers = tiers;
    b.prefixRatio = prefixRatio;
    b.prefixGroups = prefixGroups;
    b.stream = stream;
    b.seed = seed;
    return b;
  }

  /** The same options at another rate; only for rate-driven arrivals. */
  public WorkloadOptions withRate(double ratePerSecond) {
    if (!(arrival instanceof Arrival.RateDriven)) {
      throw new IllegalStateException("arrival: " + arrival.describe() + " has no rate to change");
    }
    return toBuilder().arrival(((Arrival.RateDriven) arrival).withRate(ratePerSecond)).build();
  }

  /**
   * Defaults: 1000 requests, no warm-up, 1024 prompt and 128 output tokens (vLLM's {@code random}
   * dataset), tenant {@value #DEFAULT_TENANT}, tier {@code default}, no shared prefixes, 4 prefix groups,
   * streaming, seed 0.
   */
  public static final class Builder {
    private Arrival arrival;
    private Mix<String> models;
    private long requests = 1000;
    private Duration duration;
    private Warmup warmup = Warmup.NONE;
    private LengthSpec inputLength = new LengthSpec.Fixed(1024);
    private LengthSpec outputLength = new LengthSpec.Fixed(128);
    private Mix<String> tenants = Mix.of(DEFAULT_TENANT);
    private Mix<ServiceTier> tiers = Mix.of(ServiceTier.DEFAULT);
    private double prefixRatio;
    private int prefixGroups = 4;
    private boolean stream = true;
    private long seed;

    private Builder(Arrival arrival, Mix<String> models) {
      this.arrival = requireNonNull(arrival, "arrival");
      this.models = requireNonNull(models, "models");
    }

    public Builder arrival(Arrival arrival) {
      this.arrival = requireNonNull(arrival, "arrival");
      return this;
    }

    public Builder requests(long requests) {
      this.requests = requests;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder warmup(Warmup warmup) {
      this.warmup = warmup;
      return this;
    }

    public Builder inputLength(LengthSpec inputLength) {
      this.inputLength = inputLength;
      return this;
    }

    public Builder outputLength(LengthSpec outputLength) {
      this.outputLength = outputLength;
      return this;
    }

    public Builder models(Mix<String> models) {
      this.models = models;
      return this;
    }

    public Builder tenants(Mix<String> tenants) {
      this.tenants = tenants;
      return this;
    }

    public Builder tiers(Mix<ServiceTier> tiers) {
      this.tiers = tiers;
      return this;
    }

    public Builder prefixRatio(double prefixRatio) {
      this.prefixRatio = prefixRatio;
      return this;
    }

    public Builder prefixGroups(int prefixGroups) {
      this.prefixGroups = prefixGroups;
      return this;
    }

    public Builder stream(boolean stream) {
      this.stream = stream;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public WorkloadOptions build() {
      return new WorkloadOptions(
          arrival, requests, duration, warmup, inputLength, outputLength, models, tenants, tiers,
          prefixRatio, prefixGroups, stream, seed);
    }
  }
}
