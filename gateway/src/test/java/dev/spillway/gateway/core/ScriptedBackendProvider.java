package dev.spillway.gateway.core;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.Health;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.Submission;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.TokenSink;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code scripted} kind, for tests: replicas that answer every request with one token after a
 * fixed delay, or fail it before its first token while the test's {@link Script} says they are down,
 * or after one token when it says they break midway.
 */
public final class ScriptedBackendProvider implements BackendProvider {

  /** What the test decides, shared through the backend context: which replicas fail, and what each was sent. */
  public static final class Script {
    final Set<String> down = new HashSet<>();
    /** Replicas that send one token, then fail. */
    final Set<String> breaksMidway = new HashSet<>();
    /** Replicas that send nothing until cancelled. */
    final Set<String> stalls = new HashSet<>();
    /** Replicas that send one token, then nothing until cancelled. */
    final Set<String> stallsMidway = new HashSet<>();
    final Map<String, Integer> submitted = new HashMap<>();
    Duration latency = Duration.ofMillis(100);
    /** Health as an active check would report it, by replica; unchecked when absent. */
    final Map<String, Health> health = new HashMap<>();
    final Map<String, Runnable> capacityListeners = new HashMap<>();

    /** Sets what {@code replica}'s active check reports and tells the gateway, as a probe would. */
    void health(String replica, Health now) {
      health.put(replica, now);
      capacityListeners.getOrDefault(replica, () -> {}).run();
    }

    void down(String replica) {
      down.add(replica);
    }

    void up(String replica) {
      down.remove(replica);
    }

    int submitted(String replica) {
      return submitted.getOrDefault(replica, 0);
    }
  }

  @Override
  public String kind() {
    return "scripted";
  }

  @Override
  public Backend create(BackendSpec spec, BackendContext context) {
    Script script = context.require(Script.class);
    List<Replica> replicas = new ArrayList<>();
    for (int i = 0; i < spec.replicas(); i++) {
      replicas.add(new ScriptedReplica(spec.pool() + "/" + i, script, context.clock()));
    }
    List<Replica> all = List.copyOf(replicas);
    return new Backend() {
      @Override
      public String pool() {
        return spec.pool();
      }

      @Override
      public String model() {
        return spec.model();
      }

      @Override
      public String description() {
        return "scripted";
      }

      @Override
      public List<Replica> replicas() {
        return all;
      }
    };
  }

  private static final class ScriptedReplica implements Replica {
    private final String id;
    private final Script script;
    private final Clock clock;
    private Runnable onCapacity = () -> {};
    private int running;

    ScriptedReplica(String id, Script script, Clock clock) {
      this.id = id;
      this.script = script;
      this.clock = clock;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public Capacity capacity() {
      return new Capacity(64, 1024, 16, 8192, 8192, 0);
    }

    @Override
    public LoadSnapshot load() {
      return new LoadSnapshot(running, 0, 0, 1024, 0);
    }

    @Override
    public boolean hasCapacityFor(InferenceRequest request) {
      return running < 64;
    }

    @Override
    public Prediction predict(InferenceRequest request) {
      return new Prediction(script.latency, Duration.ofMillis(10), 0);
    }

    @Override
    public Submission submit(InferenceRequest request, TokenSink sink) {
      script.submitted.merge(id, 1, Integer::sum);
      boolean fails = script.down.contains(id);
      boolean breaks = script.breaksMidway.contains(id);
      running++;
      if (script.stalls.contains(id) || script.stallsMidway.contains(id)) {
        return stall(request, sink, script.stallsMidway.contains(id));
      }
      clock.scheduleAfter(
          script.latency.toNanos(),
          () -> {
            running--;
            long now = clock.nanoTime();
            if (breaks) {
              deliver(sink, new TokenEvent.Token(0, "half", now));
              deliver(sink, new TokenEvent.Failure(
                  new BackendException(BackendException.Kind.UPSTREAM, id + " broke"), false, now));
            } else if (fails) {
              deliver(sink, new TokenEvent.Failure(
                  new BackendException(BackendException.Kind.UPSTREAM, id + " is down"), true, now));
            } else {
              deliver(sink, new TokenEvent.Token(0, "ok", now));
              deliver(sink, new TokenEvent.Finish(
                  FinishReason.STOP, new Usage(request.promptTokens(), 1), 0, 0, 0, now));
            }
            onCapacity.run();
          });
      return () -> {};
    }

    /** Sends nothing (or one token) until cancelled; then a cancelled finish. */
    private Submission stall(InferenceRequest request, TokenSink sink, boolean oneToken) {
      if (oneToken) {
        clock.scheduleAfter(
            script.latency.toNanos(), () -> deliver(sink, new TokenEvent.Token(0, "ok", clock.nanoTime())));
      }
      boolean[] cancelled = {false};
      return () -> {
        if (!cancelled[0]) {
          cancelled[0] = true;
          running--;
          deliver(sink, new TokenEvent.Finish(
              FinishReason.CANCELLED, new Usage(request.promptTokens(), oneToken ? 1 : 0), 0, 0, 0,
              clock.nanoTime()));
          onCapacity.run();
        }
      };
    }

    private static void deliver(TokenSink sink, TokenEvent event) {
      sink.executor().execute(() -> sink.accept(event));
    }

    @Override
    public void onCapacity(Runnable listener) {
      this.onCapacity = listener;
      script.capacityListeners.put(id, listener);
    }

    @Override
    public Health health() {
      return script.health.getOrDefault(id, Health.UNCHECKED);
    }
  }
}
