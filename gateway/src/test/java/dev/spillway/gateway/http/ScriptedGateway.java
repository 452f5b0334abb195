package dev.spillway.gateway.http;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.core.Admission;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.core.GatewayError;
import dev.spillway.gateway.core.GatewayListener;
import dev.spillway.gateway.core.GatewayRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A {@link Gateway} that plays a script instead of running a core: binds after one tick, emits the
 * script's tokens one tick apart on Vert.x timers of its own context (standing in for a model's
 * thread), then finishes or fails, reporting to each listener through the listener's executor as the
 * real core does. It records what was submitted and cancelled, and counts listener callbacks that ran
 * off the HTTP loop the request came on, and script steps that ran off its own thread.
 */
final class ScriptedGateway implements Gateway {

  static final String CHAT_MODEL = "llama-3.3-70b";
  static final String CHAT_ALIAS = "meta-llama/Llama-3.3-70B-Instruct";
  static final String EMBEDDING_MODEL = "e5-small";
  static final int CONTEXT = 8192;
  static final int EMBEDDING_CONTEXT = 512;
  static final int EMBEDDING_DIMENSIONS = 16;
  static final int DEFAULT_MAX_TOKENS = 256;
  static final long CREATED = 1_735_689_600L;
  static final String POOL = "llama-3.3-70b@trn2";
  static final String REPLICA = "llama-3.3-70b@trn2/0";
  static final long QUEUED_NANOS = 1_500_000;
  static final double COST_USD = 0.0000125;
  static final double PRICE_USD = 0.00045;
  static final List<String> TOKENS = List.of("Hello", ",", " \"world\"", "!", "\n", " Bye");

  static final List<ModelInfo> MODELS =
      List.of(
          new ModelInfo(
              CHAT_MODEL, List.of(CHAT_ALIAS), false, 0, CONTEXT, DEFAULT_MAX_TOKENS, CREATED,
              List.of(POOL)),
          new ModelInfo(
              EMBEDDING_MODEL, List.of(), true, EMBEDDING_DIMENSIONS, EMBEDDING_CONTEXT, 1, CREATED,
              List.of(EMBEDDING_MODEL + "@inf2")));

  /** What one request does. */
  record Script(
      List<String> tokens, long tickMillis, FinishReason reason, GatewayError reject,
      GatewayError failAfterTokens) {

    /** The default: up to {@link #TOKENS}, as many as max tokens allows; length if it cut them. */
    static Script forRequest(GatewayRequest request) {
      int n = Math.min(TOKENS.size(), request.maxOutputTokens());
      return new Script(
          TOKENS.subList(0, n), 1, n < TOKENS.size() ? FinishReason.LENGTH : FinishReason.STOP,
          null, null);
    }

    static Script rejected(GatewayError error) {
      return new Script(List.of(), 1, FinishReason.STOP, error, null);
    }

    Script failingAfterTokens(GatewayError error) {
      return new Script(tokens, tickMillis, reason, null, error);
    }

    Script everyMillis(long millis) {
      return new Script(tokens, millis, reason, reject, failAfterTokens);
    }
  }

  private final Vertx vertx;
  private final Thread coreThread;
  final List<GatewayRequest> submitted = new CopyOnWriteArrayList<>();
  final AtomicInteger cancels = new AtomicInteger();
  /** Script steps off the core's thread, and listener callbacks off the request's event loop. */
  final AtomicInteger callsOffCoreThread = new AtomicInteger();
  private final Context core;
  volatile boolean ready = true;
  volatile Function<GatewayRequest, Script> script = Script::forRequest;
  volatile List<PoolStatus> pools =
      List.of(
          new PoolStatus(
              POOL, CHAT_MODEL, "emulated", "trn2.48xlarge TP=64",
              List.of(new ReplicaStatus(REPLICA, 3, 1, 0.25, 4096)), 180.5, 22.25, 0.0001,
              new PredictionError(1500, 1024, 1024, 0.125, -0.0625, 1000, 0.0875, 0.03125)));

  ScriptedGateway(Vertx vertx, Context core) throws Exception {
    this.vertx = vertx;
    this.core = core;
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    core.runOnContext(v -> thread.complete(Thread.currentThread()));
    this.coreThread = thread.get(5, TimeUnit.SECONDS);
  }

  void reset() {
    script = Script::forRequest;
    ready = true;
    submitted.clear();
    cancels.set(0);
  }

  GatewayRequest lastSubmitted() {
    return submitted.get(submitted.size() - 1);
  }

  private void checkThread() {
    if (Thread.currentThread() != coreThread) {
      callsOffCoreThread.incrementAndGet();
    }
  }

  /** Runs {@code callback} through the listener's executor, checking it lands on the request's loop. */
  private void deliver(GatewayListener listener, Runnable callback) {
    listener
        .executor()
        .execute(
            () -> {
              if (!(listener.executor() instanceof ContextExecutor)
                  || !((ContextExecutor) listener.executor()).inLoop()) {
                callsOffCoreThread.incrementAndGet();
              }
              callback.run();
            });
  }

  @Override
  public List<ModelInfo> models() {
    return MODELS;
  }

  @Override
  public Optional<ModelInfo> model(String nameOrAlias) {
    String name = nameOrAlias.toLowerCase(Locale.ROOT);
    return MODELS.stream()
        .filter(m -> m.name().equals(name) || m.aliases().stream().anyMatch(a -> a.equalsIgnoreCase(name)))
        .findFirst();
  }

  @Override
  public CompletionStage<dev.spillway.backends.emulator.Faults> setFaults(
      String pool, dev.spillway.backends.emulator.Faults faults) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new java.util.NoSuchElementException("pool: " + pool + " (expected: none; scripted)"));
  }

  @Override
  public CompletionStage<List<PoolStatus>> pools() {
    CompletableFuture<List<PoolStatus>> result = new CompletableFuture<>();
    core.runOnContext(
        v -> {
          checkThread();
          result.complete(pools);
        });
    return result;
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public Admission submit(GatewayRequest request, GatewayListener listener) {
    submitted.add(request);
    if (model(request.model()).isEmpty()) {
      deliver(
          listener,
          () ->
              listener.onError(
                  GatewayError.of(GatewayError.Kind.MODEL_NOT_FOUND, "no model " + request.model())));
      return () -> {};
    }
    Script plan = script.apply(request);
    if (plan.reject() != null) {
      deliver(listener, () -> listener.onError(plan.reject()));
      return () -> {};
    }
    Run run = new Run(request, listener, plan);
    core.runOnContext(v -> run.schedule());
    return run;
  }

  /** One request being played; every step runs on a timer of the core's context. */
  private final class Run implements Admission {
    private final GatewayRequest request;
    private final GatewayListener listener;
    private final Script plan;
    private final GatewayListener.Binding binding =
        new GatewayListener.Binding(
            POOL, REPLICA, QUEUED_NANOS,
            new Prediction(Duration.ofMillis(180), Duration.ofMillis(20), 0.0001));
    private int step = -1; // -1: bind next; then tokens; then the end
    private long timer = -1;
    private boolean cancelled;

    Run(GatewayRequest request, GatewayListener listener, Script plan) {
      this.request = request;
      this.listener = listener;
      this.plan = plan;
    }

    /** On the core's context, so the timer fires there. */
    void schedule() {
      if (!cancelled) {
        timer = vertx.setTimer(plan.tickMillis(), id -> next());
      }
    }

    private void next() {
      checkThread();
      if (cancelled) {
        return;
      }
      if (step < 0) {
        deliver(listener, () -> listener.onBound(binding));
        step = 0;
        schedule();
        return;
      }
      List<String> tokens = request.embedding() ? List.of() : plan.tokens();
      if (step < tokens.size()) {
        TokenEvent.Token token = new TokenEvent.Token(step, tokens.get(step), System.nanoTime());
        deliver(listener, () -> listener.onToken(token));
        step++;
        schedule();
        return;
      }
      if (plan.failAfterTokens() != null) {
        deliver(listener, () -> listener.onError(plan.failAfterTokens()));
        return;
      }
      TokenEvent.Finish finish =
          new TokenEvent.Finish(
              plan.reason(), new Usage(request.promptTokens(), tokens.size()), COST_USD, PRICE_USD,
              QUEUED_NANOS, System.nanoTime());
      deliver(listener, () -> listener.onFinish(finish, binding));
    }

    /** From any thread, as the core allows; takes effect on the core's context. */
    @Override
    public void cancel() {
      core.runOnContext(
          v -> {
            checkThread();
            if (!cancelled) {
              cancelled = true;
              cancels.incrementAndGet();
              vertx.cancelTimer(timer);
            }
          });
    }
  }
}
