package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.backends.time.VertxClock;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A gateway stand-in for upstream tests: a real Vert.x, one context with a {@link VertxClock} on it,
 * backends made through the provider lookup, and every call into a replica made on that context.
 */
final class UpstreamHarness implements AutoCloseable {

  final Vertx vertx;
  final Context context;
  final VertxClock clock;
  private final List<Backend> backends = new ArrayList<>();

  UpstreamHarness() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    clock = new VertxClock(context);
  }

  /** Without active health checks unless {@code settings} has some: the scripted servers answer requests only. */
  Backend backend(String pool, String model, Map<String, Object> settings) {
    if (!settings.containsKey("healthCheck")) {
      settings = new java.util.HashMap<>(settings);
      settings.put("healthCheck", false);
    }
    Backend backend =
        BackendProvider.forKind("upstream")
            .create(
                new BackendSpec(pool, "upstream", model, 1, settings),
                new BackendContext(clock, Map.of(Vertx.class, vertx)));
    backends.add(backend);
    return backend;
  }

  /** A request with every sampling field set, a stop sequence among them. */
  static InferenceRequest request(String id, String model, int promptTokens, int maxOutputTokens) {
    return request(id, model, promptTokens, maxOutputTokens, List.of("\n\n"));
  }

  static InferenceRequest request(
      String id, String model, int promptTokens, int maxOutputTokens, List<String> stop) {
    return new InferenceRequest(
        id, model, promptTokens, maxOutputTokens, "Write one sentence about rivers.", 0,
        new SamplingParams(0.7, 0.9, OptionalLong.of(42), stop), ServiceTier.DEFAULT, "tenant-a",
        InferenceRequest.NO_DEADLINE);
  }

  /** Submits on the clock's context, as the gateway does. */
  Recording submit(Replica replica, InferenceRequest request) {
    Recording recording = new Recording(context);
    recording.submission = onContext(() -> replica.submit(request, recording));
    return recording;
  }

  void cancel(Recording recording) {
    onContext(
        () -> {
          recording.submission.cancel();
          return null;
        });
  }

  LoadSnapshot load(Replica replica) {
    return onContext(replica::load);
  }

  <T> T onContext(Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            result.complete(task.get());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return result.orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() throws Exception {
    for (Backend backend : backends) {
      backend.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The events of one request, checked for order, uniqueness of the end, and the thread they came on. */
  static final class Recording implements TokenSink {

    private final Context expected;
    private final Executor executor;
    private final List<TokenEvent> events = new ArrayList<>();
    private final CompletableFuture<TokenEvent> terminal = new CompletableFuture<>();
    private final AtomicInteger offContext = new AtomicInteger();
    volatile Submission submission;
    /** Runs on each token, on the context, after it is recorded. */
    volatile Runnable onToken = () -> {};

    /** Living on the clock's context: delivered inline there. */
    Recording(Context expected) {
      this(expected, TokenSink.INLINE);
    }

    /** Living on {@code home}'s context, another than the clock's: events must arrive there. */
    Recording(ContextExecutor home) {
      this(home.context(), home);
    }

    private Recording(Context expected, Executor executor) {
      this.expected = expected;
      this.executor = executor;
    }

    @Override
    public Executor executor() {
      return executor;
    }

    @Override
    public void accept(TokenEvent event) {
      if (Vertx.currentContext() != expected) {
        offContext.incrementAndGet();
      }
      synchronized (events) {
        events.add(event);
      }
      if (event instanceof TokenEvent.Token) {
        onToken.run();
      } else {
        terminal.complete(event);
      }
    }

    TokenEvent awaitEnd(Duration timeout) {
      return terminal.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    TokenEvent.Finish awaitFinish() {
      TokenEvent end = awaitEnd(Duration.ofSeconds(10));
      assertThat(end).as("terminal event").isInstanceOf(TokenEvent.Finish.class);
      return (TokenEvent.Finish) end;
    }

    TokenEvent.Failure awaitFailure() {
      TokenEvent end = awaitEnd(Duration.ofSeconds(10));
      assertThat(end).as("terminal event").isInstanceOf(TokenEvent.Failure.class);
      return (TokenEvent.Failure) end;
    }

    List<TokenEvent.Token> tokens() {
      List<TokenEvent.Token> tokens = new ArrayList<>();
      synchronized (events) {
        for (TokenEvent event : events) {
          if (event instanceof TokenEvent.Token) {
            tokens.add((TokenEvent.Token) event);
          }
        }
      }
      return tokens;
    }

    String text() {
      StringBuilder text = new StringBuilder();
      for (TokenEvent.Token token : tokens()) {
        text.append(token.text());
      }
      return text.toString();
    }

    /**
     * After a grace period for stray late events: tokens indexed 0..n-1, then exactly one terminal
     * event and nothing after it, all delivered on the clock's context.
     */
    void assertWellFormed() throws InterruptedException {
      Thread.sleep(150);
      List<TokenEvent> seen;
      synchronized (events) {
        seen = List.copyOf(events);
      }
      assertThat(seen).isNotEmpty();
      for (int i = 0; i < seen.size() - 1; i++) {
        assertThat(seen.get(i)).as("event %d of %s", i, seen).isInstanceOf(TokenEvent.Token.class);
        assertThat(((TokenEvent.Token) seen.get(i)).index()).isEqualTo(i);
      }
      assertThat(seen.get(seen.size() - 1)).as("last event").isNotInstanceOf(TokenEvent.Token.class);
      assertThat(offContext.get()).as("events delivered off the sink's context").isZero();
    }
  }
}
