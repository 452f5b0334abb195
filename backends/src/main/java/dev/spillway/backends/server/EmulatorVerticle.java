package dev.spillway.backends.server;

import dev.spillway.backends.emulator.EmulatedBackend;
import dev.spillway.backends.emulator.EmulatedBackendProvider;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.BackendContext;
import dev.spillway.backends.spi.BackendSpec;
import dev.spillway.backends.time.VertxClock;
import dev.spillway.backends.wire.JsonText;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool and its HTTP server on one Vert.x context. The engines are single-threaded, so the replicas'
 * clock, the HTTP handlers and every call into a replica share this verticle's event loop; nothing
 * hops threads.
 */
final class EmulatorVerticle extends VerticleBase {

  static final long MAX_BODY_BYTES = 4L * 1024 * 1024;
  static final String REQUEST_ID = "x-request-id";

  private static final Logger log = LoggerFactory.getLogger(EmulatorServer.class);
  /** Client request ids longer than this are replaced rather than echoed. */
  private static final int MAX_REQUEST_ID_LENGTH = 256;

  private final ServeOptions options;
  private final Profiles profiles;
  private final String idPrefix;
  private final long createdSeconds;
  private EmulatedBackend backend;
  private ServerMetrics metrics;
  private HttpServer server;
  private long requests;

  EmulatorVerticle(ServeOptions options, Profiles profiles) {
    this.options = options;
    this.profiles = profiles;
    long now = System.currentTimeMillis();
    this.createdSeconds = now / 1000;
    // Ids must not repeat across restarts of one server: prefix them with the start time.
    this.idPrefix = Long.toString(now % 0x7fffffffL, 36) + "-";
  }

  @Override
  public Future<?> start() {
    String pool = options.model() + "@" + profiles.accelerator(options.accelerator()).family();
    Map<String, Object> settings = new HashMap<>();
    settings.put("accelerator", options.accelerator());
    settings.put("toolCallRate", options.toolCallRate());
    if (options.stack() != null) {
      settings.put("stack", options.stack());
    }
    if (options.tp() > 0) {
      settings.put("tp", options.tp());
    }
    if (options.dtype() != null) {
      settings.put("dtype", options.dtype().wireName());
    }
    Map<Class<?>, Object> services = new HashMap<>();
    services.put(Profiles.class, profiles);
    services.put(Vertx.class, vertx);
    backend =
        (EmulatedBackend)
            new EmulatedBackendProvider()
                .create(
                    new BackendSpec(pool, "emulated", options.model(), options.replicas(), settings),
                    new BackendContext(new VertxClock(context), services));
    backend.faults(options.faults());
    metrics = new ServerMetrics(options.model());

    Router router = Router.router(vertx);
    router.route().handler(this::assignRequestId);
    router.get("/health").handler(ctx -> json(ctx, "{\"status\":\"ok\"}"));
    router.get("/v1/models").handler(this::models);
    router.get("/metrics").handler(this::metrics);
    router
        .post("/v1/chat/completions")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(
            new ChatHandler(
                backend.replicas(), options.model(), backend.deployment().model(), metrics, idPrefix));
    router.route().failureHandler(this::failure);
    router.errorHandler(404, ctx -> routeError(ctx, 404));
    router.errorHandler(405, ctx -> routeError(ctx, 405));

    server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                // HTTP/1.1 only on plain connections, as the gateway (see decisions.md).
                .setHttp2ClearTextEnabled(false));
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.onComplete(
        ar -> {
          if (backend != null) {
            backend.close();
          }
        });
  }

  int port() {
    return server.actualPort();
  }

  EmulatedBackend backend() {
    return backend;
  }

  /** Echoes the client's {@code x-request-id} or makes one, on every response. */
  private void assignRequestId(RoutingContext ctx) {
    String id = ctx.request().getHeader(REQUEST_ID);
    if (id == null || id.isBlank() || id.length() > MAX_REQUEST_ID_LENGTH) {
      id = "req-" + idPrefix + Long.toString(requests++, 36);
    }
    ctx.response().putHeader(REQUEST_ID, id);
    ctx.next();
  }

  private void models(RoutingContext ctx) {
    StringBuilder body = new StringBuilder(160);
    body.append("{\"object\":\"list\",\"data\":[{\"id\":");
    JsonText.string(body, options.model());
    body.append(",\"object\":\"model\",\"created\":").append(createdSeconds)
        .append(",\"owned_by\":\"spillway\"}]}");
    json(ctx, body.toString());
  }

  private void metrics(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", ServerMetrics.CONTENT_TYPE)
        .end(metrics.scrape(backend.replicas()));
  }

  private static void json(RoutingContext ctx, String body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body);
  }

  /** Failures from handlers: an oversized body is the client's fault, anything unexpected ours. */
  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    ApiError error;
    if (failure instanceof ApiError) {
      error = (ApiError) failure;
    } else if (status == 413) {
      error =
          new ApiError(
              413, ApiError.INVALID_REQUEST,
              "request body: over " + MAX_BODY_BYTES + " bytes (expected: at most 4 MiB)", null, null);
    } else if (status >= 400 && status < 500) {
      error = new ApiError(status, ApiError.INVALID_REQUEST, HttpResponseStatus.valueOf(status).reasonPhrase(), null, null);
    } else {
      log.warn("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      error = new ApiError(500, ApiError.SERVER_ERROR, "internal error", null, null);
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
    } else {
      error.send(ctx.response());
    }
  }

  private static void routeError(RoutingContext ctx, int status) {
    String message =
        status == 404
            ? "path: " + ctx.request().path() + " (expected: /v1/chat/completions, /v1/models, /health or /metrics)"
            : "method: " + ctx.request().method() + " (expected: another method for " + ctx.request().path() + ")";
    new ApiError(status, ApiError.INVALID_REQUEST, message, null, null).send(ctx.response());
  }
}
