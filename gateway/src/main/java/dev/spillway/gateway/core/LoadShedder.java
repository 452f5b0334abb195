package dev.spillway.gateway.core;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.time.Duration;

/**
 * A model's answer to demand beyond supply. Its queue drains at a measured pace ({@link DrainPace});
 * a request that would not reach a replica before its deadline at that pace is refused at once (503,
 * {@code Retry-After} when enough of the queue will have drained), and a sweep drops those already
 * queued that can no longer make it. Tiers drain in priority order, so those behind — flex, then
 * default — are the first to go; a priority request is refused only when the priority requests ahead
 * of it fill its deadline. Refusals cost microseconds, and what waits is bounded by the queue's
 * capacity. On the model's clock.
 */
final class LoadShedder {

  /**
   * The share of its deadline a newcomer's estimated wait may fill. Below 1, because the estimate is a
   * mean and requests of higher tiers may still arrive ahead of it: one refused now costs its client
   * microseconds, one dropped later has waited seconds.
   */
  static final double ADMISSION_SHARE = 0.8;

  /** How often queued requests are checked while the queue is busy. */
  static final long SWEEP_NANOS = 250_000_000L;

  private final ModelConfig config;
  private final FlowController flow;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final DrainPace pace = new DrainPace();
  private boolean sweepSet;

  LoadShedder(ModelConfig config, FlowController flow, Clock clock, GatewayMetrics metrics) {
    this.config = config;
    this.flow = flow;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** A request of {@code tier} was bound: the pace learns, and a busy queue is swept soon. */
  void bound(long nowNanos, ServiceTier tier) {
    pace.bound(nowNanos, tier, flow.size());
    if (!sweepSet && !flow.isEmpty() && pace.known()) {
      sweepSet = true;
      clock.schedule(nowNanos + SWEEP_NANOS, this::sweep);
    }
  }

  /**
   * Whether {@code p} may join the queue now; if not it has been refused. Called before it is
   * offered to the queue.
   */
  boolean admit(Pending p, long nowNanos) {
    long wait = pace.nanosFor(p.request.tier(), flow.sizeThrough(p.request.tier()));
    if (!pace.known() || wait <= ADMISSION_SHARE * (p.deadlineNanos - nowNanos)) {
      return true;
    }
    refuse(p, nowNanos, wait);
    return false;
  }

  /** When a request refused because its tier is full might get in: once the queue ahead has drained. */
  Duration retryAfter(ServiceTier tier) {
    return pace.known()
        ? DrainPace.retryAfter(pace.nanosFor(tier, flow.sizeThrough(tier)))
        : Duration.ofSeconds(1);
  }

  /** {@code p} reached its deadline in the queue: no replica could take it in time. */
  void expired(Pending p) {
    p.done = true;
    metrics.queueDepth(config.name(), p.request.tier().wireName(), flow.size(p.request.tier()));
    metrics.requestFinished(
        config.name(), ModelScheduler.UNBOUND, GatewayMetrics.Outcome.REJECTED,
        clock.nanoTime() - p.admittedNanos);
    ModelScheduler.reject(
        p.listener,
        GatewayError.retryable(
            GatewayError.Kind.UNAVAILABLE,
            "No replica of " + config.name() + " could take the request within "
                + config.maxQueueWait().toSeconds() + "s. Please retry later.",
            Duration.ofSeconds(1)));
  }

  private void sweep() {
    sweepSet = false;
    if (flow.isEmpty() || !pace.known()) {
      return;
    }
    long now = clock.nanoTime();
    flow.shed(
        now, pace::intervalNanos,
        p -> refuse(p, now, pace.nanosFor(p.request.tier(), flow.sizeThrough(p.request.tier()))));
    if (!flow.isEmpty()) {
      sweepSet = true;
      clock.schedule(now + SWEEP_NANOS, this::sweep);
    }
  }

  /** Refuses {@code p}, which would wait {@code waitNanos} at the current pace. */
  private void refuse(Pending p, long nowNanos, long waitNanos) {
    p.done = true;
    String tier = p.request.tier().wireName();
    metrics.shed(config.name(), tier);
    metrics.queueDepth(config.name(), tier, flow.size(p.request.tier()));
    metrics.requestFinished(
        config.name(), ModelScheduler.UNBOUND, GatewayMetrics.Outcome.REJECTED, nowNanos - p.admittedNanos);
    long budget = Math.max(0, p.deadlineNanos - nowNanos);
    ModelScheduler.reject(
        p.listener,
        GatewayError.retryable(
            GatewayError.Kind.UNAVAILABLE,
            config.name() + " is overloaded: the " + tier + " queue would take about "
                + Math.max(1, waitNanos / 1_000_000_000L) + "s to reach this request, past its "
                + Math.max(1, budget / 1_000_000_000L) + "s deadline. Please retry later.",
            DrainPace.retryAfter(Math.max(0, waitNanos - budget))));
  }
}
