package dev.spillway.loadtest.bench;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.time.Clock;
import dev.spillway.backends.time.VertxClock;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible upstream that does no work: {@code POST /v1/chat/completions} answers a fixed
 * completion of {@code chunks} tokens, as one {@code chat.completion} body or as SSE
 * {@code chat.completion.chunk} events, and can pace the events one {@code interval} apart. It stands in
 * for a model server when what is measured is the gateway in front of it: thousands of slow streams
 * held open at once, which a static server such as nginx cannot pace.
 *
 * <p>A stream's events are: the first token with the assistant role, one event per further token, the
 * last with {@code finish_reason: "length"}, then a usage event (no choices) and {@code data: [DONE]}.
 * Event {@code i} leaves {@code i × interval} after the request arrived, so the first goes at once; the
 * usage event and {@code [DONE]} go with the last token. With a zero interval the whole body is one
 * write. Also answers {@code GET /v1/models} and {@code GET /health}.
 *
 * <p>Implementation notes. {@code eventLoops} instances of one verticle share the port, so connections
 * spread over that many event loops; every buffer is built once and shared read-only. A paced stream
 * holds one timer at a time and stops when its client goes away. Nothing is bounded except by the
 * requests: this is a benchmark fixture for loopback, not a server to expose.
 */
public final class StubUpstream {

  /** The model name it lists and puts in its answers; any requested model is accepted. */
  public static final String MODEL = "stub";

  /** What a chat completion answers. */
  public enum Answer {
    /** SSE when the request asks {@code "stream": true}, else one JSON body. */
    AUTO,
    /** Always SSE. */
    SSE,
    /** Always one JSON body. */
    JSON;

    public static Answer parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("answer: " + text + " (expected: auto, sse or json)");
      }
    }
  }

  /**
   * @param port 0 picks a free one
   * @param chunks tokens in every answer, at least 1
   * @param interval gap between SSE events; zero sends the whole stream at once
   * @param eventLoops verticle instances serving the port, at least 1
   */
  public record Options(String host, int port, int chunks, Duration interval, Answer answer, int eventLoops) {

    public Options {
      requireNonNull(host, "host");
      requireNonNull(interval, "interval");
      requireNonNull(answer, "answer");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
      }
      if (chunks < 1) {
        throw new IllegalArgumentException("chunks: " + chunks + " (expected: >= 1)");
      }
      if (interval.isNegative()) {
        throw new IllegalArgumentException("interval: " + interval + " (expected: >= 0)");
      }
      if (eventLoops < 1) {
        throw new IllegalArgumentException("eventLoops: " + eventLoops + " (expected: >= 1)");
      }
    }

    /** On 127.0.0.1, a free port, one event loop, {@code auto} answers. */
    public static Options of(int chunks, Duration interval) {
      return new Options("127.0.0.1", 0, chunks, interval, Answer.AUTO, 1);
    }
  }

  private static final Pattern STREAM_TRUE = Pattern.compile("\"stream\"\\s*:\\s*true");

  private final Vertx vertx;
  private final String deployment;
  private final int port;

  private StubUpstream(Vertx vertx, String deployment, int port) {
    this.vertx = vertx;
    this.deployment = deployment;
    this.port = port;
  }

  /** Listens; fails with the bind error when the port is taken. */
  public static Future<StubUpstream> start(Vertx vertx, Options options) {
    requireNonNull(vertx, "vertx");
    requireNonNull(options, "options");
    Bodies bodies = new Bodies(options.chunks());
    AtomicInteger boundPort = new AtomicInteger();
    return vertx
        .deployVerticle(() -> new Server(options, bodies, boundPort),
            new DeploymentOptions().setInstances(options.eventLoops()))
        .map(id -> new StubUpstream(vertx, id, boundPort.get()));
  }

  /** The port listened on, the chosen one when started with port 0. */
  public int port() {
    return port;
  }

  /** Stops listening and closes open streams. */
  public Future<Void> close() {
    return vertx.undeploy(deployment);
  }

  /** The fixed answers, encoded once. */
  static final class Bodies {
    final int chunks;
    final Buffer first;
    final Buffer middle;
    final Buffer last;
    final Buffer tail;
    final Buffer whole;
    final Buffer json;

    Bodies(int chunks) {
      this.chunks = chunks;
      String head = "{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\""
          + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":{";
      String open = "data: " + head;
      first = bytes(open + "\"role\":\"assistant\",\"content\":\"tok\"},\"logprobs\":null,"
          + "\"finish_reason\":" + (chunks == 1 ? "\"length\"" : "null") + "}]}\n\n");
      middle = bytes(open + "\"content\":\" tok\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
      last = bytes(open + "\"content\":\" tok\"},\"logprobs\":null,\"finish_reason\":\"length\"}]}\n\n");
      tail = bytes("data: {\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\""
          + MODEL + "\",\"choices\":[],\"usage\":" + usage(chunks) + "}\n\ndata: [DONE]\n\n");
      Buffer all = Buffer.buffer();
      for (int i = 0; i < chunks; i++) {
        all.appendBuffer(event(i));
      }
      whole = all.appendBuffer(tail);
      StringBuilder content = new StringBuilder("tok");
      for (int i = 1; i < chunks; i++) {
        content.append(" tok");
      }
      json = bytes("{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"" + MODEL
          + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content
          + "\"},\"logprobs\":null,\"finish_reason\":\"length\"}],\"usage\":" + usage(chunks) + "}");
    }

    /** Event {@code i} of a stream, {@code 0 <= i < chunks}. */
    Buffer event(int i) {
      return i == 0 ? first : i == chunks - 1 ? last : middle;
    }

    private static String usage(int chunks) {
      return "{\"prompt_tokens\":8,\"completion_tokens\":" + chunks + ",\"total_tokens\":" + (chunks + 8) + "}";
    }

    private static Buffer bytes(String text) {
      return Buffer.buffer(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static final class Server extends VerticleBase {
    private final Options options;
    private final Bodies bodies;
    private final AtomicInteger port;
    private HttpServer server;
    private Clock clock;

    Server(Options options, Bodies bodies, AtomicInteger port) {
      this.options = options;
      this.bodies = bodies;
      this.port = port;
    }

    @Override
    public Future<?> start() {
      clock = new VertxClock(context);
      // A negative port makes every instance share the one free port the first bind picks.
      server = vertx.createHttpServer(new HttpServerOptions()
          .setHost(options.host()).setPort(options.port() == 0 ? -1 : options.port()).setTcpNoDelay(true));
      return server.requestHandler(this::handle).listen().onSuccess(s -> port.set(s.actualPort()));
    }

    private void handle(HttpServerRequest request) {
      String path = request.path();
      if (request.method() == HttpMethod.POST && path.equals("/v1/chat/completions")) {
        request.body().onSuccess(body -> answer(request.response(), body));
      } else if (request.method() == HttpMethod.GET && path.equals("/v1/models")) {
        request.response().putHeader("Content-Type", "application/json")
            .end("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL + "\",\"object\":\"model\",\"created\":0,"
                + "\"owned_by\":\"spillway\"}]}");
      } else if (request.method() == HttpMethod.GET && path.equals("/health")) {
        request.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
      } else {
        request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
            .end("{\"error\":{\"message\":\"path: " + path.replace("\"", "")
                + " (expected: /v1/chat/completions, /v1/models or /health)\",\"type\":\"invalid_request_error\"}}");
      }
    }

    private void answer(HttpServerResponse response, Buffer body) {
      boolean sse = options.answer() == Answer.SSE
          || options.answer() == Answer.AUTO && STREAM_TRUE.matcher(body.toString(StandardCharsets.UTF_8)).find();
      if (!sse) {
        response.putHeader("Content-Type", "application/json").end(bodies.json);
        return;
      }
      response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
      if (options.interval().isZero()) {
        response.end(bodies.whole);
        return;
      }
      new PacedStream(response, clock.nanoTime()).send(0);
    }

    /** One paced stream: event {@code i} is due {@code i × interval} after the start. */
    private final class PacedStream {
      private final HttpServerResponse response;
      private final long startNanos;
      private Clock.Timer timer;

      PacedStream(HttpServerResponse response, long startNanos) {
        this.response = response;
        this.startNanos = startNanos;
        response.closeHandler(v -> {
          if (timer != null) {
            timer.cancel();
          }
        });
      }

      void send(int i) {
        timer = null;
        if (response.closed()) {
          return;
        }
        if (i == bodies.chunks - 1) {
          response.write(bodies.event(i));
          response.end(bodies.tail);
          return;
        }
        response.write(bodies.event(i));
        timer = clock.schedule(startNanos + (i + 1) * options.interval().toNanos(), () -> send(i + 1));
      }
    }
  }
}
