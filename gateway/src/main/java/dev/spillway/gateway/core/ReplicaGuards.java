package dev.spillway.gateway.core;

import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.config.BreakerConfig;
import dev.spillway.gateway.metrics.GatewayMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A circuit breaker per replica of one model (Resilience4j's), indexed like the scheduler's
 * candidates.
 *
 * <p>Implementation notes. An attempt takes a permission from its replica's breaker when the router
 * may choose the replica, and gives it back unless it was chosen ({@link #release}). A closed breaker
 * permits everything; an open one nothing until its wait is over, when the next permission asked
 * for turns it half-open; a half-open one permits its probes, and their outcomes close or reopen it.
 * Outcomes come from the scheduler: a failure of the replica before or after its first token, or a
 * success with the time from binding to the first token (slow above the threshold). Invalid requests
 * and cancellations count for nothing. Breakers read the model's clock, so their waits run in virtual
 * time in the simulator, and are used only on the model's clock (their one writer); an open breaker
 * schedules a pump for when its wait ends, since nothing else may wake a queue whose every replica is
 * open.
 */
final class ReplicaGuards {

  private final CircuitBreaker[] breakers;

  /**
   * @param pools each candidate's pool name, by candidate index
   * @param replicas each candidate's replica id, by candidate index
   * @param configs each candidate's breaker configuration, by candidate index
   * @param reopenable called on the model's clock when an open breaker may let a probe through
   */
  ReplicaGuards(
      List<String> pools, List<String> replicas, List<BreakerConfig> configs, Clock clock,
      GatewayMetrics metrics, Runnable reopenable) {
    this.breakers = new CircuitBreaker[replicas.size()];
    java.time.Clock time = new ModelTime(clock);
    for (int i = 0; i < breakers.length; i++) {
      BreakerConfig c = configs.get(i);
      CircuitBreaker breaker =
          CircuitBreaker.of(
              pools.get(i) + "/" + replicas.get(i),
              CircuitBreakerConfig.custom()
                  .failureRateThreshold(c.failureRateThreshold())
                  .slowCallRateThreshold(c.slowCallRateThreshold())
                  .slowCallDurationThreshold(c.slowCallDurationThreshold())
                  .slidingWindow(
                      c.slidingWindowSize(), c.minimumNumberOfCalls(),
                      CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                  .waitDurationInOpenState(c.waitDurationInOpenState())
                  .permittedNumberOfCallsInHalfOpenState(c.permittedCallsInHalfOpenState())
                  .recordExceptions(Throwable.class)
                  .clock(time)
                  .currentTimestampFunction(t -> clock.nanoTime(), TimeUnit.NANOSECONDS)
                  .build());
      String pool = pools.get(i);
      String replica = replicas.get(i);
      long wait = c.waitDurationInOpenState().toNanos();
      metrics.circuitBreakerState(pool, replica, name(breaker.getState()));
      breaker.getEventPublisher()
          .onStateTransition(
              event -> {
                CircuitBreaker.State to = event.getStateTransition().getToState();
                metrics.circuitBreakerState(pool, replica, name(to));
                metrics.circuitBreakerTransition(pool, replica, name(to));
                if (to == CircuitBreaker.State.OPEN) {
                  // Resilience4j's wait ends strictly after the instant it opened plus the wait.
                  clock.schedule(clock.nanoTime() + wait + 1, reopenable);
                }
              });
      breakers[i] = breaker;
    }
  }

  /** Whether the router may send the replica a request now; if so it holds a permission. */
  boolean tryAcquire(int replica) {
    return breakers[replica].tryAcquirePermission();
  }

  /** Gives back a permission the replica's request did not use. */
  void release(int replica) {
    breakers[replica].releasePermission();
  }

  /** An attempt on the replica produced its first token {@code ttftNanos} after binding. */
  void succeeded(int replica, long ttftNanos) {
    breakers[replica].onSuccess(Math.max(0, ttftNanos), TimeUnit.NANOSECONDS);
  }

  /** An attempt on the replica failed {@code nanos} after binding. */
  void failed(int replica, long nanos, Throwable error) {
    breakers[replica].onError(Math.max(0, nanos), TimeUnit.NANOSECONDS, error);
  }

  /** Lets an open breaker's probes through now: the replica's health check found it back. */
  void halfOpen(int replica) {
    if (breakers[replica].getState() == CircuitBreaker.State.OPEN) {
      breakers[replica].transitionToHalfOpenState();
    }
  }

  /** Whether the replica's breaker is open (it may turn half-open when next asked). */
  boolean open(int replica) {
    return breakers[replica].getState() == CircuitBreaker.State.OPEN;
  }

  /** The replica's breaker state as {@code /admin/pools} and the metrics name it. */
  String state(int replica) {
    return name(breakers[replica].getState());
  }

  private static String name(CircuitBreaker.State state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /** The model's clock as the {@link java.time.Clock} Resilience4j reads: its nanoseconds from an arbitrary origin. */
  private static final class ModelTime extends java.time.Clock {
    private final Clock clock;

    ModelTime(Clock clock) {
      this.clock = clock;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.EPOCH.plusNanos(clock.nanoTime());
    }
  }
}
