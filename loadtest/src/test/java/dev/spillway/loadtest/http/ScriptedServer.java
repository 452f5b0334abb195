package dev.spillway.loadtest.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible server with scripted timings, on 127.0.0.1 and an ephemeral port: the first
 * token after {@code firstTokenMs}, then {@code tokens − 1} more {@code gapMs} apart, each at its
 * absolute time (no drift). Optionally a stall: requests arriving within {@code [stallAtMs, stallAtMs +
 * stallMs)} of the first request wait until the stall ends, like a server paused by GC. Or a fixed
 * failure: an HTTP status, a stream that closes early, or no answer at all.
 */
final class ScriptedServer implements AutoCloseable {

  enum Failure { NONE, STATUS_429, CLOSE_MID_STREAM, SILENT }

  record Script(long firstTokenMs, long gapMs, int tokens, long stallAtMs, long stallMs, Failure failure) {
    static Script tokens(long firstTokenMs, long gapMs, int tokens) {
      return new Script(firstTokenMs, gapMs, tokens, -1, 0, Failure.NONE);
    }

    Script withStall(long atMs, long forMs) {
      return new Script(firstTokenMs, gapMs, tokens, atMs, forMs, failure);
    }

    Script failing(Failure failure) {
      return new Script(firstTokenMs, gapMs, tokens, stallAtMs, stallMs, failure);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Script script;
  private final AtomicInteger received = new AtomicInteger();
  private volatile long firstArrival = -1;

  ScriptedServer(Script script) throws Exception {
    this.script = script;
    this.server = vertx.createHttpServer().requestHandler(this::handle);
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  int received() {
    return received.get();
  }

  private void handle(HttpServerRequest request) {
    long arrival = System.nanoTime();
    if (request.method() != HttpMethod.POST) {
      request.response().setStatusCode(404).end(); // the driver's GET /models before the run
      return;
    }
    synchronized (this) {
      if (firstArrival < 0) {
        firstArrival = arrival;
      }
    }
    received.incrementAndGet();
    request.body().onSuccess(buffer -> {
      JsonObject body = buffer.toJsonObject();
      boolean stream = body.getBoolean("stream", false);
      boolean chat = request.path().endsWith("/chat/completions");
      long sinceFirstMs = (arrival - firstArrival) / 1_000_000;
      long holdMs = 0;
      if (script.stallAtMs() >= 0 && sinceFirstMs >= script.stallAtMs()
          && sinceFirstMs < script.stallAtMs() + script.stallMs()) {
        holdMs = script.stallAtMs() + script.stallMs() - sinceFirstMs;
      }
      respond(request.response(), arrival + holdMs * 1_000_000, stream, chat);
    });
  }

  private void respond(HttpServerResponse response, long startNanos, boolean stream, boolean chat) {
    switch (script.failure()) {
      case STATUS_429:
        response.setStatusCode(429).putHeader("content-type", "application/json")
            .end("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}");
        return;
      case SILENT:
        return;
      default:
        break;
    }
    int tokens = script.tokens();
    long lastTokenAt = startNanos + (script.firstTokenMs() + (tokens - 1) * script.gapMs()) * 1_000_000;
    if (!stream) {
      at(lastTokenAt, () -> response
          .putHeader("content-type", "application/json")
          .putHeader("x-spillway-pool", "pool-a")
          .putHeader("x-spillway-cost-usd", "0.0002")
          .putHeader("x-spillway-price-usd", "0.0005")
          .end(new JsonObject()
              .put("id", "x").put("object", chat ? "chat.completion" : "text_completion")
              .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
                  .put("message", new JsonObject().put("role", "assistant").put("content", "tok ".repeat(tokens)))
                  .put("finish_reason", "length")))
              .put("usage", new JsonObject().put("prompt_tokens", 10).put("completion_tokens", tokens)
                  .put("total_tokens", 10 + tokens))
              .encode()));
      return;
    }
    response.setChunked(true).putHeader("content-type", "text/event-stream");
    for (int i = 0; i < tokens; i++) {
      int index = i;
      long due = startNanos + (script.firstTokenMs() + i * script.gapMs()) * 1_000_000;
      at(due, () -> {
        if (response.closed()) {
          return;
        }
        if (script.failure() == Failure.CLOSE_MID_STREAM && index == tokens / 2) {
          response.reset();
          return;
        }
        if (index == 0 && chat) {
          response.write(event("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
              + "\"finish_reason\":null}]}"));
        }
        response.write(event(chat
            ? "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},\"finish_reason\":null}]}"
            : "{\"choices\":[{\"index\":0,\"text\":\" tok\",\"finish_reason\":null}]}"));
        if (index == tokens - 1) {
          response.write(event(chat
              ? "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}"
              : "{\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"length\"}]}"));
          response.write(event("{\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":" + tokens
              + ",\"total_tokens\":" + (10 + tokens) + "},"
              + "\"spillway\":{\"pool\":\"pool-b\",\"replica\":\"r0\",\"cost_usd\":0.0001,\"price_usd\":0.0003}}"));
          response.end("data: [DONE]\n\n");
        }
      });
    }
  }

  private static String event(String json) {
    return "data: " + json + "\n\n";
  }

  private void at(long dueNanos, Runnable task) {
    long delayMs = Math.max(1, Math.round((dueNanos - System.nanoTime()) / 1e6));
    vertx.setTimer(delayMs, id -> task.run());
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
