package dev.spillway.gateway.core;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.Clock;
import dev.spillway.gateway.config.ModelConfig;
import dev.spillway.gateway.config.PoolConfig;
import dev.spillway.gateway.config.TimeLimiterConfig;
import dev.spillway.gateway.core.GatewayListener.Binding;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import dev.spillway.gateway.core.routing.Candidate;
import dev.spillway.gateway.core.routing.RoutingPolicies;
import dev.spillway.gateway.core.routing.Selector;
import dev.spillway.gateway.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One model: its queue, its router and its pools, with late binding.
 *
 * <p>Implementation notes. Requests wait in the {@link FlowController}, not in replicas. {@link #pump}
 * binds the head of the queue to a replica only when some replica reports capacity for it; the
 * routing policy picks among those replicas. A replica with compiled batch sizes is offered only when
 * a full batch is queued or the head has waited the pool's {@code maxBatchDelay}; it then takes the
 * head and the requests behind it, up to its batch size, at once. Pumps run after every admission and
 * every replica event while requests wait, and on timers for batch delays and queue deadlines.
 * Failures before the first token are retried, on whatever replica the policy picks next, after a
 * backoff and while the failing pool's {@link RetryBudget} allows; when they may not be, the request
 * falls back to the model's {@code fallbacks} in order, each taking it over on its own thread.
 * A replica whose circuit breaker is open is offered to the router no more than one that is not
 * serving ({@link ReplicaGuards}); a half-open one only for its probes; one whose active health check
 * finds it down not at all, and when the check passes again its breaker lets probes through at once.
 * A request held to some pools ({@link GatewayRequest#pools}, a Bedrock inference profile's regions)
 * is offered only their replicas; like any head of the queue, it waits for one of them with the
 * requests behind it.
 *
 * <p>Threading. A scheduler and its replicas belong to the model's clock, whose tasks run one at a
 * time. Requests come to it through {@link Clock#execute} from their home threads (the HTTP
 * connections' event loops) and cancels likewise; it binds them there, and hands each bound request's
 * events back to its home through the listener's executor ({@link BoundRequest}), so neither side
 * locks and a token never visits the model's clock on its way from an upstream to a client. Live,
 * the clock runs a task on the home thread that posts it whenever no other loop is running the
 * model's tasks, so an uncontended request never leaves its loop. Replicas tell it when they may
 * have room ({@code onCapacity}); it then pumps once at the current instant.
 */
final class ModelScheduler {

  /** The pool label of requests that never left the queue. */
  static final String UNBOUND = "none";

  private final ModelConfig config;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final FlowController flow;
  private final LoadShedder shedder;
  private final List<PoolHandle> pools;
  private final ReplicaTable replicas;
  private final ReplicaGuards guards;
  private final AttemptDeadlines deadlines;
  /** Each pool's retry budget, by pool name. */
  private final Map<String, RetryBudget> budgets = new HashMap<>();
  /** Jitter for retry backoffs; seeded so that a simulation replays. */
  private final SplittableRandom random;
  private final Selector selector;
  private final PredictionTracker predictions;
  /** Null when the model has no response cache. Shared with the requests' home threads (see there). */
  private final ResponseCache cache;
  /** The models this one falls back to, in order; set once after every scheduler is built. */
  private List<ModelScheduler> fallbacks = List.of();
  private boolean pumping;
  private boolean pumpAgain;
  private boolean batchTimerSet;
  private boolean pumpScheduled;
  private long sweepAt = Long.MAX_VALUE;

  ModelScheduler(ModelConfig config, List<PoolHandle> pools, Clock clock, GatewayMetrics metrics) {
    this.config = config;
    this.clock = clock;
    this.metrics = metrics;
    this.flow = new FlowController(config.queueCapacity());
    this.shedder = new LoadShedder(config, flow, clock, metrics);
    this.pools = List.copyOf(pools);
    this.replicas = new ReplicaTable(pools);
    for (PoolHandle pool : pools) {
      pool.replicas().onServing(this::capacityFreed);
      budgets.put(pool.config().name(), new RetryBudget(pool.config().resilience().retry()));
    }
    this.random = new SplittableRandom(config.name().hashCode());
    List<Candidate> candidates = replicas.candidates();
    List<PoolConfig> poolOf = new ArrayList<>();
    for (int i = 0; i < replicas.size(); i++) {
      poolOf.add(replicas.poolConfig(i));
    }
    this.guards =
        new ReplicaGuards(
            candidates.stream().map(Candidate::pool).toList(),
            candidates.stream().map(c -> c.replica().id()).toList(),
            poolOf.stream().map(pool -> pool.resilience().circuitBreaker()).toList(),
            clock, metrics, this::capacityFreed);
    this.selector = RoutingPolicies.named(config.routing()).selector(candidates);
    this.deadlines = new AttemptDeadlines(clock, this::expired);
    this.predictions =
        new PredictionTracker(pools.stream().map(pool -> pool.config().name()).toList());
    this.cache = config.cache().map(c -> new ResponseCache(c, clock::nanoTime)).orElse(null);
    for (PoolHandle pool : pools) {
      for (Replica replica : pool.replicas().slots()) {
        PoolReplicas owner = pool.replicas();
        int index = replicas.index(replica.id());
        replica.onCapacity(
            () -> {
              owner.replicaEvent(replica);
              if (replicas.backUp(index)) {
                // Its server is back: a breaker still open from the outage probes it now.
                guards.halfOpen(index);
              }
              capacityFreed();
            });
      }
    }
  }

  /** Sets the models this one falls back to; before any request. */
  void fallbacks(List<ModelScheduler> models) {
    this.fallbacks = List.copyOf(models);
  }

  /** The clock of this model's thread. */
  Clock clock() {
    return clock;
  }

  ModelConfig config() {
    return config;
  }

  List<PoolHandle> pools() {
    return pools;
  }

  int contextTokens() {
    return replicas.contextTokens();
  }

  int queued() {
    return flow.size();
  }

  /** The model's response cache, or null; used from any thread. */
  ResponseCache cache() {
    return cache;
  }

  /**
   * Admits {@code request} from any thread: checks what needs no shared state there and looks the
   * request up in the response cache, then hands it to the model's clock. Rejections and cached
   * answers reach the listener through its executor.
   */
  Admission submit(GatewayRequest request, GatewayListener listener) {
    long now = clock.nanoTime();
    GatewayError refusal = replicas.refusal(request, config.name());
    if (refusal != null) {
      reject(listener, refusal);
      return () -> {};
    }
    // A request held to some pools is neither answered from nor stored in the cache, whose answers
    // may have come from any pool.
    ResponseCache.Key key =
        cache == null || !request.pools().isEmpty() ? null : ResponseCache.keyOf(request);
    if (key != null) {
      CachedAnswer answer = cache.get(key);
      metrics.cacheLookup(config.name(), answer != null);
      if (answer != null) {
        CacheHit hit = new CacheHit(answer, listener, clock, metrics, config.name(), now);
        listener.executor().execute(hit);
        return hit;
      }
    }
    Pending p =
        new Pending(
            request, inference(request), listener, slo(request), now, now + config.maxQueueWait().toNanos());
    p.cacheKey = key;
    p.fallbacks = fallbacks;
    clock.execute(() -> enqueue(p));
    return () -> clock.execute(() -> cancel(p));
  }

  /**
   * Takes over {@code from}, a request whose every attempt on its own model failed unseen; called on
   * that model's thread. The new request keeps its client, its attempt count and the fallbacks left
   * after this one, and queues here at the head of its tier like a retry. A request this model cannot
   * hold (too long for its context) gives up with the failure it came with.
   */
  private Pending takeOver(Pending from, List<ModelScheduler> rest, Runnable giveUp) {
    GatewayRequest request = from.request;
    long now = clock.nanoTime();
    Pending p =
        new Pending(
            request, inference(request), from.listener, slo(request), from.admittedNanos,
            now + config.maxQueueWait().toNanos());
    p.enqueuedNanos = now;
    p.attempts = from.attempts;
    p.attemptsBefore = from.attempts;
    p.fallbacks = rest;
    boolean fits = (long) request.promptTokens() + request.maxOutputTokens() <= replicas.contextTokens();
    clock.execute(
        () -> {
          if (p.cancelled) {
            cancelledBetweenAttempts(p);
          } else if (!fits) {
            p.done = true;
            giveUp.run();
          } else {
            flow.pushFront(p);
            metrics.queueDepth(config.name(), request.tier().wireName(), flow.size(request.tier()));
            requestPump();
          }
        });
    return p;
  }

  /** What this model's replicas are asked to run for {@code request}. */
  private InferenceRequest inference(GatewayRequest request) {
    return new InferenceRequest(
        request.id(), config.name(), request.promptTokens(), request.maxOutputTokens(),
        request.prompt(), request.prefixHash(), request.sampling(), request.tier(),
        request.tenant(), InferenceRequest.NO_DEADLINE, request.output());
  }

  /** The request's own latency objective, else this model's for its tier. */
  private Slo slo(GatewayRequest request) {
    return request.slo().orElse(config.slos().get(request.tier()));
  }

  /** Queues {@code p} or rejects it when its tier is full; on the model's clock. */
  private void enqueue(Pending p) {
    if (p.cancelled) {
      return;
    }
    GatewayRequest request = p.request;
    if (!shedder.admit(p, clock.nanoTime())) {
      return;
    }
    if (!flow.offer(p)) {
      metrics.queueRejected(config.name(), request.tier().wireName());
      metrics.requestFinished(config.name(), UNBOUND, GatewayMetrics.Outcome.REJECTED, 0);
      GatewayError error =
          GatewayError.retryable(
              GatewayError.Kind.QUEUE_FULL,
              "The " + request.tier().wireName() + " queue of " + config.name() + " is full ("
                  + config.queueCapacity().get(request.tier()) + " requests). Please retry later.",
              shedder.retryAfter(request.tier()));
      reject(p.listener, error);
      return;
    }
    metrics.queueDepth(config.name(), request.tier().wireName(), flow.size(request.tier()));
    for (PoolHandle pool : pools) {
      pool.replicas().demand();
    }
    pump();
  }

  /** Tells {@code listener} of {@code error} on its own thread: how every rejection reaches it. */
  static void reject(GatewayListener listener, GatewayError error) {
    listener.executor().execute(() -> listener.onError(error));
  }

  private void cancel(Pending p) {
    if (p.fellBackTo != null) {
      ModelScheduler to = p.fallbackScheduler;
      Pending next = p.fellBackTo;
      to.clock.execute(() -> to.cancel(next));
      return;
    }
    if (p.done || p.cancelled) {
      return;
    }
    p.cancelled = true;
    if (flow.remove(p)) {
      p.done = true;
      metrics.requestFinished(
          config.name(), UNBOUND, GatewayMetrics.Outcome.CANCELLED, clock.nanoTime() - p.admittedNanos);
      metrics.queueDepth(config.name(), p.request.tier().wireName(), flow.size(p.request.tier()));
      return;
    }
    if (p.submission != null) {
      p.submission.cancel();
    }
  }

  /** Binds queued requests to replicas with capacity, as long as the policy finds one. */
  void pump() {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        pumpOnce();
      } while (pumpAgain);
    } finally {
      pumping = false;
    }
    scheduleSweep();
  }

  private void pumpOnce() {
    long now = clock.nanoTime();
    flow.expire(now, shedder::expired);
    long batchWakeAt = Long.MAX_VALUE;
    List<Candidate> available = new ArrayList<>(replicas.size());
    int[] permitted = new int[replicas.size()];
    while (true) {
      Pending head = flow.peek();
      if (head == null) {
        break;
      }
      available.clear();
      boolean elsewhere = head.tried != null && untried(head);
      for (int i = 0; i < replicas.size(); i++) {
        Candidate c = replicas.candidate(i);
        if (!head.request.allowsPool(c.pool()) || !replicas.offered(i) || !replicas.hasRoom(i, head.inference)) {
          continue;
        }
        if (elsewhere && head.tried.get(i)) {
          continue;
        }
        int batch = c.replica().capacity().staticBatchSize();
        if (batch > 0) {
          long readyAt = head.enqueuedNanos + replicas.poolConfig(i).maxBatchDelay().toNanos();
          if (flow.size() < batch && now < readyAt) {
            batchWakeAt = Math.min(batchWakeAt, readyAt);
            continue;
          }
        }
        if (!guards.tryAcquire(i)) {
          continue;
        }
        permitted[available.size()] = i;
        available.add(c);
      }
      Candidate chosen = selector.select(head.inference, head.slo, available);
      int chosenIndex = -1;
      for (int k = 0; k < available.size(); k++) {
        if (available.get(k) == chosen) {
          chosenIndex = permitted[k];
        } else {
          guards.release(permitted[k]);
        }
      }
      if (chosen == null) {
        break;
      }
      int batch = Math.max(1, chosen.replica().capacity().staticBatchSize());
      int formed = 0;
      while (formed < batch) {
        Pending next = formed == 0 ? flow.poll() : flow.peek();
        if (next == null) {
          break;
        }
        if (formed > 0) {
          if (!next.request.allowsPool(chosen.pool()) || !replicas.hasRoom(chosenIndex, next.inference)) {
            break;
          }
          if (!guards.tryAcquire(chosenIndex)) {
            break;
          }
          flow.poll();
        }
        metrics.queueDepth(config.name(), next.request.tier().wireName(), flow.size(next.request.tier()));
        dispatch(next, chosenIndex, now);
        formed++;
      }
      metrics.batchFormed(chosen.pool(), formed);
    }
    if (batchWakeAt != Long.MAX_VALUE && !batchTimerSet) {
      batchTimerSet = true;
      clock.schedule(
          batchWakeAt,
          () -> {
            batchTimerSet = false;
            pump();
          });
    }
  }

  /**
   * Whether a retried request has a replica left that it has not failed on, serving and not behind an
   * open breaker: then it waits for one of those (another replica, maybe another pool) rather than
   * go back to one that failed it.
   */
  private boolean untried(Pending p) {
    for (int i = 0; i < replicas.size(); i++) {
      if (!p.tried.get(i) && p.request.allowsPool(replicas.candidate(i).pool())
          && replicas.offered(i) && !guards.open(i)) {
        return true;
      }
    }
    return false;
  }

  private void scheduleSweep() {
    long earliest = flow.earliestDeadline();
    if (earliest < sweepAt) {
      sweepAt = earliest;
      clock.schedule(
          earliest,
          () -> {
            if (sweepAt == earliest) {
              sweepAt = Long.MAX_VALUE;
            }
            pump();
          });
    }
  }

  private void dispatch(Pending p, int index, long now) {
    Candidate c = replicas.candidate(index);
    p.attempts++;
    if (p.attempts - p.attemptsBefore == 1) {
      budgets.get(c.pool()).deposit(now);
    }
    shedder.bound(now, p.request.tier());
    long queued = now - p.admittedNanos;
    metrics.queueWait(config.name(), p.request.tier().wireName(), now - p.enqueuedNanos);
    // The state the policy just saw: the same prediction it decided on, kept to compare with the outcome.
    Prediction predicted = c.replica().predict(p.inference);
    Binding binding =
        new Binding(
            c.pool(), c.replica().id(), queued, predicted,
            p.cacheKey == null ? CacheLookup.NONE : CacheLookup.MISS, p.attempts);
    BoundRequest sink = new BoundRequest(this, p, binding, clock, metrics, config.name());
    TimeLimiterConfig limits = replicas.poolConfig(index).resilience().timeLimiter();
    p.listener.executor().execute(sink::bound);
    p.submission = c.replica().submit(p.inference, sink);
    sink.submission = p.submission;
    deadlines.watch(sink, now, limits.firstTokenNanos(p.slo.ttft()), limits.total().toNanos());
  }

  /**
   * An attempt on {@code replica} failed {@code nanos} after binding, from any thread. On the model's
   * thread its replica's breaker counts it; then, if it failed before its first token and may be
   * retried, the request goes back to the head of its tier after a backoff when the pool's retry
   * budget allows, and otherwise the attempt reports the failure ({@link BoundRequest#giveUp}). A
   * request whose client left meanwhile ends as cancelled instead.
   */
  void failed(
      Pending p, BoundRequest attempt, String pool, String replica, long nanos,
      TokenEvent.Failure failure, boolean retryable) {
    clock.execute(
        () -> {
          deadlines.unwatch(attempt);
          int index = replicas.index(replica);
          guards.failed(index, nanos, failure.error());
          if (!retryable) {
            return;
          }
          if (p.tried == null) {
            p.tried = new BitSet(replicas.size());
          }
          p.tried.set(index);
          p.submission = null;
          if (p.cancelled) {
            cancelledBetweenAttempts(p);
            return;
          }
          long now = clock.nanoTime();
          RetryBudget budget = budgets.get(pool);
          RetryBudget.Decision decision = budget.withdraw(p.attempts - p.attemptsBefore, now);
          if (decision != RetryBudget.Decision.RETRY) {
            if (decision == RetryBudget.Decision.BUDGET_SPENT) {
              metrics.retryBudgetExhausted(pool);
            }
            Runnable giveUp = () -> p.listener.executor().execute(() -> attempt.giveUp(failure));
            if (p.fallbacks.isEmpty()) {
              giveUp.run();
            } else {
              fallBack(p, giveUp);
            }
            return;
          }
          metrics.retried(pool);
          clock.schedule(
              now + budget.backoffNanos(p.attempts, random),
              () -> {
                if (p.cancelled) {
                  cancelledBetweenAttempts(p);
                  return;
                }
                p.enqueuedNanos = clock.nanoTime();
                flow.pushFront(p);
                requestPump();
              });
        });
  }

  /** Hands {@code p} to the next model it may fall back to; on this model's thread. */
  private void fallBack(Pending p, Runnable giveUp) {
    ModelScheduler next = p.fallbacks.get(0);
    p.done = true;
    metrics.fellBack(config.name(), next.config.name());
    p.fallbackScheduler = next;
    p.fellBackTo = next.takeOver(p, p.fallbacks.subList(1, p.fallbacks.size()), giveUp);
  }

  /** An attempt passed a deadline: its replica stops, and it fails as a timeout on its home thread. */
  private void expired(BoundRequest attempt, boolean firstToken) {
    long limit =
        firstToken
            ? attempt.firstTokenDeadlineNanos - attempt.boundAtNanos()
            : attempt.totalDeadlineNanos - attempt.boundAtNanos();
    metrics.attemptTimedOut(attempt.pool(), firstToken ? "first_token" : "total");
    // The timeout reaches the home thread before the cancelled finish the replica will send there.
    attempt.executor().execute(() -> attempt.timedOut(firstToken, limit));
    attempt.submission.cancel();
  }

  private void cancelledBetweenAttempts(Pending p) {
    metrics.requestFinished(
        config.name(), UNBOUND, GatewayMetrics.Outcome.CANCELLED, clock.nanoTime() - p.admittedNanos);
  }

  /**
   * A bound request finished: its predicted and actual TTFT (from binding) and TPOT, from its home
   * thread; recorded on the model's, with the replica's success. {@code actualTpotNanos} is NaN for
   * fewer than two tokens.
   */
  void observed(
      BoundRequest attempt, Binding binding, long actualTtftNanos, double actualTpotNanos) {
    clock.execute(
        () -> {
          deadlines.unwatch(attempt);
          predictions.record(
              binding.pool(), binding.predicted().ttft().toNanos(), actualTtftNanos,
              binding.predicted().tpot().toNanos(), actualTpotNanos);
          guards.succeeded(replicas.index(binding.replica()), actualTtftNanos);
        });
  }

  /**
   * An attempt on {@code replica} ended without telling whether the replica is healthy (cancelled,
   * or refused as invalid): its permission goes back; from any thread.
   */
  void replicaReleased(BoundRequest attempt, String replica) {
    clock.execute(
        () -> {
          deadlines.unwatch(attempt);
          guards.release(replicas.index(replica));
        });
  }

  /** The circuit breaker state of {@code replica}; on the model's clock. */
  String breakerState(String replica) {
    return guards.state(replicas.index(replica));
  }

  /** How far {@code pool}'s predictions were from the outcomes; on the model's clock. */
  Gateway.PredictionError predictionError(String pool) {
    return predictions.errors(pool);
  }

  /** A replica may have room: bind what waits, once, at the current instant. */
  private void capacityFreed() {
    if (!flow.isEmpty()) {
      requestPump();
    }
  }

  /**
   * A pump at the current instant, after the events already due: a replica reports every sequence of
   * a step at once, and one pump after them all binds as much as one pump per event would.
   */
  private void requestPump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      clock.schedule(
          clock.nanoTime(),
          () -> {
            pumpScheduled = false;
            pump();
          });
    }
  }
}
