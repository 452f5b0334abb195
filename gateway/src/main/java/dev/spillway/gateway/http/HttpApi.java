package dev.spillway.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.spillway.backends.emulator.Faults;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.api.bedrock.ProfileRouter;
import dev.spillway.gateway.api.openai.Endpoint;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.api.openai.OpenAiParser;
import dev.spillway.gateway.api.openai.OpenAiRequest;
import dev.spillway.gateway.api.openai.OpenAiResponses;
import dev.spillway.gateway.config.ServerConfig;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.config.TenantConfig;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.ledger.UsageQuery;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.gateway.tenancy.ApiKey;
import dev.spillway.gateway.tenancy.Tenancy;
import dev.spillway.gateway.tenancy.Ticket;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's routes and handlers on one event loop (see {@link GatewayServer}): every handler runs
 * on that loop, and {@link #prepare} checks it on every request. The {@link Gateway} answers through
 * {@link #home}, so exchanges never share state with another thread.
 */
final class HttpApi {

  // Header names and fixed values made once: Vert.x then neither validates nor encodes them per response.
  static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  static final String EVENT_STREAM = "text/event-stream";
  static final CharSequence EVENT_STREAM_TYPE = HttpHeaders.createOptimized(EVENT_STREAM);
  static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  static final CharSequence OPENAI_VERSION = HttpHeaders.createOptimized("openai-version");
  static final CharSequence OPENAI_VERSION_VALUE = HttpHeaders.createOptimized("2020-10-01");
  static final CharSequence PROCESSING_MS = HttpHeaders.createOptimized("openai-processing-ms");

  private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
  static final String ID_KEY = "spillway.requestId";
  static final String START_KEY = "spillway.startNanos";
  /** The {@link ApiKey} a request was authenticated with, when the gateway has keys. */
  private static final String API_KEY = "spillway.apiKey";
  /** The {@link Exchange} a generation request became, once it reached the core. */
  private static final String EXCHANGE = "spillway.exchange";
  private static final ObjectMapper ADMIN_JSON =
      new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  private static final String PATHS =
      "/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/responses, /v1/models, /health,"
          + " /ready, /metrics"
          + ", /admin/pools, /admin/usage or POST /model/{modelId}/converse (Bedrock)";

  private final Vertx vertx;
  /** This loop: where every exchange made here lives. */
  private final ContextExecutor home;
  private final Gateway gateway;
  private final Tenancy tenancy;
  private final ServerConfig config;
  private final Supplier<String> metricsScrape;
  private final GatewayMetrics metrics;
  private final LimitAdmission limits;
  private final Ledger ledger;
  private final InFlight inFlight;
  /** This loop's exchanges that reached the core and have not ended: what a shutdown cancels. */
  private final Set<Exchange> live = new HashSet<>();
  /** The Bedrock Runtime routes of this loop. */
  private final BedrockApi bedrock;
  private final RequestIds ids;
  /** Monotonic time for {@code openai-processing-ms}. */
  private final LongSupplier nanoTime;
  /** Wall time for {@code created}. */
  private final LongSupplier currentTimeMillis;

  HttpApi(
      Vertx vertx,
      ContextExecutor home,
      Gateway gateway,
      Tenancy tenancy,
      ServerConfig config,
      Supplier<String> metricsScrape,
      GatewayMetrics metrics,
      Ledger ledger,
      ProfileRouter profiles,
      InFlight inFlight,
      SplittableRandom random,
      LongSupplier nanoTime,
      LongSupplier currentTimeMillis) {
    this.vertx = vertx;
    this.home = home;
    this.gateway = gateway;
    this.tenancy = tenancy;
    this.config = config;
    this.metricsScrape = metricsScrape;
    this.metrics = metrics;
    this.limits = new LimitAdmission(tenancy, metrics, home);
    this.ledger = ledger;
    this.inFlight = inFlight;
    this.ids = new RequestIds(random);
    this.nanoTime = nanoTime;
    this.currentTimeMillis = currentTimeMillis;
    this.bedrock =
        new BedrockApi(
            home, gateway, tenancy, config, metrics, ledger, profiles, inFlight, nanoTime, currentTimeMillis);
  }

  Router router() {
    Router router = Router.router(vertx);
    router.route().handler(this::prepare);
    if (tenancy.keyed()) {
      router.route("/v1/*").handler(this::authenticate);
      router.route("/admin/*").handler(this::authenticateOperator);
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    for (Endpoint endpoint : Endpoint.values()) {
      // Two routes: a body handler must come first on its route.
      router.post(endpoint.path()).handler(this::admit);
      router.post(endpoint.path()).handler(body).handler(ctx -> generate(ctx, endpoint));
    }
    bedrock.route(router, body);
    router.get("/v1/models").handler(this::models);
    // A regular expression, not ":id": model ids contain "/" (sent as %2F, or raw by hand-written
    // clients); the router matches on the path with %2F still encoded and decodes the captured id.
    router.getWithRegex("/v1/models/(?<id>.+)").handler(this::model);
    router.get("/health").handler(ctx -> json(ctx, "{\"status\":\"ok\"}"));
    router.get("/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
    router.get("/admin/pools").handler(this::pools);
    router.get("/admin/usage").handler(this::usage);
    // A regular expression, as for model ids: a pool's default name holds its model's, "/" and all.
    router.postWithRegex("/admin/pools/(?<pool>.+)/faults").handler(body).handler(this::setFaults);
    router.deleteWithRegex("/admin/pools/(?<pool>.+)/faults")
        .handler(ctx -> applyFaults(ctx, ctx.pathParam("pool"), Faults.NONE));
    router.route().failureHandler(this::failure);
    router.errorHandler(404, this::notFound);
    router.errorHandler(405, this::methodNotAllowed);
    return router;
  }

  /** Assigns the request id and the headers every response carries. */
  private void prepare(RoutingContext ctx) {
    if (!home.inLoop()) {
      throw new IllegalStateException("HTTP handler off its event loop: " + Thread.currentThread());
    }
    long start = nanoTime.getAsLong();
    String id = ids.requestId(ctx.request().getHeader(REQUEST_ID));
    ctx.put(ID_KEY, id);
    ctx.put(START_KEY, start);
    HttpServerResponse response = ctx.response();
    response.putHeader(REQUEST_ID, id).putHeader(OPENAI_VERSION, OPENAI_VERSION_VALUE);
    ctx.addHeadersEndHandler(
        v -> {
          if (!EVENT_STREAM.equals(response.headers().get(CONTENT_TYPE))) {
            long millis = TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - start);
            response.putHeader(PROCESSING_MS, Long.toString(millis));
          }
        });
    ctx.next();
  }

  /**
   * Counts a generation request in flight until its response ends; while the gateway drains, refuses
   * it with a 503 and closes the connection, so that a keep-alive client reconnects elsewhere.
   */
  private void admit(RoutingContext ctx) {
    boolean counted =
        inFlight.admit(
            ctx.response(),
            response -> HttpErrors.send(response, Exchange.shuttingDown()),
            () -> {
              Exchange exchange = ctx.get(EXCHANGE);
              if (exchange != null) {
                live.remove(exchange);
              }
            });
    if (counted) {
      ctx.next();
    }
  }

  /**
   * Ends every exchange of this loop still in flight with the shutdown's 503 or error event; a
   * request that has not reached the core yet is refused when it does. On this loop.
   */
  void cancelInFlight() {
    inFlight.cancelling();
    for (Exchange exchange : List.copyOf(live)) {
      exchange.shutdown();
    }
    bedrock.cancelInFlight();
  }

  /** {@code /v1/*} with keys: a tenant's key, else 401 before the body is read. */
  private void authenticate(RoutingContext ctx) {
    String secret = Credentials.presented(ctx.request());
    ApiKey key = secret == null ? null : tenancy.keys().bearer(secret).orElse(null);
    if (key == null || key.admin()) {
      // Debug only: a flood of bad keys must not become a flood of log lines.
      log.debug("401 {} {}: {}", ctx.request().method(), ctx.request().path(),
          secret == null ? "no key" : key == null ? "unknown key" : "admin key " + key.id());
      HttpErrors.send(ctx.response(), TenancyErrors.invalidApiKey(secret != null));
      return;
    }
    ctx.put(API_KEY, key);
    ctx.next();
  }

  /** {@code /admin/*} with keys: an operator's key. */
  private void authenticateOperator(RoutingContext ctx) {
    String secret = Credentials.presented(ctx.request());
    ApiKey key = secret == null ? null : tenancy.keys().bearer(secret).orElse(null);
    if (key == null) {
      HttpErrors.send(ctx.response(), TenancyErrors.invalidApiKey(secret != null));
    } else if (!key.admin()) {
      log.info("403 {}: key {} of tenant {} is not an admin key", ctx.request().path(), key.id(), key.tenant());
      HttpErrors.send(ctx.response(), TenancyErrors.notAnOperator(key.id()));
    } else {
      ctx.next();
    }
  }

  /** The tenant of the request's key; null when the gateway is open. */
  private TenantConfig tenant(RoutingContext ctx) {
    ApiKey key = ctx.get(API_KEY);
    return key == null ? null : tenancy.tenant(key.tenant()).orElseThrow(
        () -> new IllegalStateException("key " + key.id() + ": tenant " + key.tenant() + " not configured"));
  }

  private void generate(RoutingContext ctx, Endpoint endpoint) {
    HttpServerRequest request = ctx.request();
    Buffer body = ctx.body().buffer();
    OpenAiRequest parsed;
    try {
      parsed =
          OpenAiParser.parse(
              endpoint,
              body == null ? new byte[0] : body.getBytes(),
              ctx.get(ID_KEY),
              request::getHeader,
              gateway::model);
    } catch (OpenAiError e) {
      HttpErrors.send(ctx.response(), e);
      return;
    }
    TenantConfig tenant = tenant(ctx);
    if (tenant != null) {
      if (!tenant.allowsModel(parsed.model().name())) {
        ApiKey key = ctx.get(API_KEY);
        log.info("403: key {} of tenant {} may not use model {}", key.id(), tenant.name(), parsed.model().name());
        HttpErrors.send(ctx.response(), TenancyErrors.modelNotAllowed(tenant.name(), parsed.core().model()));
        return;
      }
      if (!tenant.allowsTier(parsed.core().tier())) {
        HttpErrors.send(ctx.response(), TenancyErrors.tierNotAllowed(tenant.name(), parsed.core().tier()));
        return;
      }
      // The key decides the tenant: x-spillway-tenant and user no longer do.
      ApiKey key = ctx.get(API_KEY);
      parsed = parsed.withCore(parsed.core().withIdentity(tenant.name(), key.id()));
    }
    if (tenant == null) {
      submit(ctx, endpoint, parsed, Ticket.NONE);
      return;
    }
    OpenAiRequest admitted = parsed;
    limits.admit(
        ctx, tenant.name(), parsed.model().name(), parsed.core(),
        error -> HttpErrors.send(ctx.response(), error),
        ticket -> submit(ctx, endpoint, admitted, ticket));
  }

  private void submit(RoutingContext ctx, Endpoint endpoint, OpenAiRequest parsed, Ticket ticket) {
    String responseId = ids.responseId(endpoint);
    long created = currentTimeMillis.getAsLong() / 1000;
    Long start = ctx.get(START_KEY);
    if (inFlight.isCancelling()) {
      ticket.endedEarly(0);
      HttpErrors.send(ctx.response(), Exchange.shuttingDown());
      return;
    }
    Exchange exchange =
        new Exchange(
            ctx.response(), parsed, responseId, created, home,
            new Exchange.Overhead(metrics, nanoTime, start == null ? nanoTime.getAsLong() : start),
            ticket, ledger, currentTimeMillis);
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.put(EXCHANGE, exchange);
      live.add(exchange);
    }
    exchange.submit(gateway);
  }

  /** The models the caller may use: all of them when the gateway is open. */
  private void models(RoutingContext ctx) {
    TenantConfig tenant = tenant(ctx);
    json(
        ctx,
        OpenAiResponses.modelList(
            tenant == null
                ? gateway.models()
                : gateway.models().stream().filter(m -> tenant.allowsModel(m.name())).toList()));
  }

  private void model(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    TenantConfig tenant = tenant(ctx);
    gateway
        .model(id)
        .filter(m -> tenant == null || tenant.allowsModel(m.name()))
        .ifPresentOrElse(
            model -> json(ctx, OpenAiResponses.model(id, model)),
            () -> HttpErrors.send(ctx.response(), OpenAiError.modelNotFound(id)));
  }

  private void ready(RoutingContext ctx) {
    if (inFlight.draining()) {
      ctx.response().setStatusCode(503).putHeader(HttpErrors.RETRY_AFTER, "1");
      json(ctx, "{\"status\":\"draining\"}");
    } else if (gateway.ready()) {
      json(ctx, "{\"status\":\"ready\"}");
    } else {
      ctx.response().setStatusCode(503).putHeader(HttpErrors.RETRY_AFTER, "1");
      json(ctx, "{\"status\":\"starting\"}");
    }
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader(CONTENT_TYPE, METRICS_CONTENT_TYPE).end(metricsScrape.get());
  }

  /** Read on each model's thread; answered back on this loop. */
  private void pools(RoutingContext ctx) {
    gateway
        .pools()
        .whenComplete(
            (pools, failure) ->
                home.execute(
                    () -> {
                      if (failure != null) {
                        ctx.fail(failure);
                        return;
                      }
                      try {
                        json(ctx, ADMIN_JSON.writeValueAsString(Map.of("pools", pools)));
                      } catch (JsonProcessingException e) {
                        ctx.fail(new IllegalStateException("pools: not writable as JSON", e));
                      }
                    }));
  }

  /**
   * {@code POST /admin/pools/{pool}/faults}: the body's faults ({@link Faults#parse}) replace the
   * pool's; an empty body clears them.
   */
  private void setFaults(RoutingContext ctx) {
    String pool = ctx.pathParam("pool");
    Buffer body = ctx.body().buffer();
    Faults faults;
    if (body == null || body.toString().isBlank()) {
      faults = Faults.NONE;
    } else {
      Object parsed;
      try {
        parsed = ADMIN_JSON.readValue(body.getBytes(), Object.class);
      } catch (java.io.IOException e) {
        HttpErrors.send(
            ctx.response(),
            OpenAiError.invalid(null, "invalid_json", "body: not JSON (expected: a JSON object of faults)"));
        return;
      }
      if (!(parsed instanceof Map)) {
        HttpErrors.send(
            ctx.response(),
            OpenAiError.invalid(null, "invalid_value", "body: " + parsed + " (expected: a JSON object of faults)"));
        return;
      }
      try {
        @SuppressWarnings("unchecked")
        Map<String, ?> fields = (Map<String, ?>) parsed;
        faults = Faults.parse("faults", fields);
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        int colon = message.indexOf(':');
        String param = colon > 0 ? message.substring(0, colon) : null;
        HttpErrors.send(ctx.response(), OpenAiError.invalid(param, "invalid_value", message));
        return;
      }
    }
    applyFaults(ctx, pool, faults);
  }

  /** Applied on the pool's model thread; answered back on this loop with the faults in force. */
  private void applyFaults(RoutingContext ctx, String pool, Faults faults) {
    gateway
        .setFaults(pool, faults)
        .whenComplete(
            (applied, failure) ->
                home.execute(
                    () -> {
                      Throwable cause =
                          failure instanceof java.util.concurrent.CompletionException
                              ? failure.getCause()
                              : failure;
                      if (cause instanceof java.util.NoSuchElementException) {
                        HttpErrors.send(
                            ctx.response(),
                            OpenAiError.client(404, "pool", "pool_not_found", cause.getMessage()));
                        return;
                      }
                      if (cause instanceof UnsupportedOperationException) {
                        HttpErrors.send(
                            ctx.response(),
                            OpenAiError.client(409, "pool", "pool_not_emulated", cause.getMessage()));
                        return;
                      }
                      if (cause != null) {
                        ctx.fail(cause);
                        return;
                      }
                      log.info("pool {}: faults now {}", pool, applied.none() ? "none" : applied);
                      Map<String, Object> answer = new LinkedHashMap<>();
                      answer.put("pool", pool);
                      answer.put("faults", applied.toMap());
                      try {
                        json(ctx, ADMIN_JSON.writeValueAsString(answer));
                      } catch (JsonProcessingException e) {
                        ctx.fail(new IllegalStateException("faults: not writable as JSON", e));
                      }
                    }));
  }

  /** The ledger summed on a worker thread (it reads the files); answered back on this loop. */
  private void usage(RoutingContext ctx) {
    if (!ledger.enabled()) {
      HttpErrors.send(
          ctx.response(),
          OpenAiError.client(
              404, null, "unknown_url",
              "path: GET /admin/usage (expected: ledger.enabled: true; the usage ledger is off)"));
      return;
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    for (String name : ctx.queryParams().names()) {
      params.put(name, ctx.queryParams().getAll(name));
    }
    UsageQuery query;
    try {
      query = UsageQuery.parse(params);
    } catch (UsageQuery.BadParameter e) {
      HttpErrors.send(ctx.response(), OpenAiError.invalid(e.param(), "invalid_value", e.getMessage()));
      return;
    }
    vertx
        .executeBlocking(() -> ledger.usage(query).toJson(), false)
        .onComplete(
            done -> {
              if (done.failed()) {
                ctx.fail(done.cause());
              } else {
                json(ctx, done.result());
              }
            });
  }

  private static void json(RoutingContext ctx, String body) {
    ctx.response().putHeader(CONTENT_TYPE, JSON).end(body);
  }

  /** Failures: an oversized body or a bad request line is the client's fault, anything else ours. */
  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status = ctx.statusCode();
    OpenAiError error;
    if (failure instanceof OpenAiError) {
      error = (OpenAiError) failure;
    } else if (status == 413) {
      error =
          OpenAiError.client(
              413, null, "request_too_large",
              "request body: over " + config.maxBodyBytes() + " bytes (expected: at most "
                  + config.maxBodyBytes() + " bytes)");
    } else if (status >= 400 && status < 500) {
      error = OpenAiError.client(status, null, null, HttpResponseStatus.valueOf(status).reasonPhrase());
    } else {
      log.warn("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      error = OpenAiError.internal("internal error (request id " + ctx.get(ID_KEY) + ")");
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      if (!response.ended() && !response.closed()) {
        response.reset(); // a stream cut short must not look complete
      }
    } else {
      HttpErrors.send(response, error);
    }
  }

  private void notFound(RoutingContext ctx) {
    HttpErrors.send(
        ctx.response(),
        OpenAiError.client(
            404, null, "unknown_url",
            "path: " + ctx.request().method() + " " + ctx.request().path() + " (expected: " + PATHS + ")"));
  }

  private void methodNotAllowed(RoutingContext ctx) {
    HttpErrors.send(
        ctx.response(),
        OpenAiError.client(
            405, null, "method_not_supported",
            "method: " + ctx.request().method() + " (expected: another method for "
                + ctx.request().path() + ")"));
  }
}
