package dev.spillway.backends.upstream;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendProvider;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.time.Clock;
import dev.spillway.backends.time.VertxClock;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The {@code upstream} backend kind: replicas that are OpenAI-compatible HTTP servers (vLLM, a hosted
 * provider, Spillway's own emulator server). Settings: {@code url}, a base URL ending in {@code /v1}
 * shared by every replica, or {@code urls}, one per replica; and optionally {@code apiKey} (sent as a
 * bearer token, never logged), {@code model} (the upstream's name for the pool's model),
 * {@code maxConcurrency} (requests in flight per replica, default 64) and {@code timeoutSeconds}
 * (per request, default 600). The context must hold the {@link Vertx} instance.
 *
 * <p>A replica's bookkeeping runs on the context's clock: with a {@link VertxClock}, calls from
 * elsewhere get there through {@link VertxClock#execute}; with another clock, calls already
 * on a Vert.x context are taken to be on the clock's, and calls from outside any are scheduled on the
 * clock. Each request's HTTP exchange runs on its sink's executor, which must be on a Vert.x event
 * loop (see {@link dev.spillway.backends.spi.TokenSink}).
 */
public final class UpstreamBackendProvider implements BackendProvider {

  @Override
  public String kind() {
    return "upstream";
  }

  @Override
  public Backend create(BackendSpec spec, BackendContext context) {
    UpstreamSettings settings = UpstreamSettings.from(spec);
    Vertx vertx = context.require(Vertx.class);
    Clock clock = context.clock();
    Executor onClock = onClock(clock);
    List<URI> urls = settings.baseUrls();
    List<UpstreamReplica> replicas = new ArrayList<>(urls.size());
    for (int i = 0; i < urls.size(); i++) {
      replicas.add(new UpstreamReplica(spec.pool() + "/" + i, urls.get(i), settings, vertx, clock, onClock));
    }
    return new UpstreamBackend(spec.pool(), spec.model(), settings, replicas);
  }

  private static Executor onClock(Clock clock) {
    if (clock instanceof VertxClock) {
      return ((VertxClock) clock)::execute;
    }
    return task -> {
      if (Vertx.currentContext() != null) {
        task.run();
      } else {
        clock.schedule(clock.nanoTime(), task);
      }
    };
  }
}
