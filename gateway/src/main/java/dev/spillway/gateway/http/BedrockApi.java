package dev.spillway.gateway.http;

import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.api.bedrock.BedrockError;
import dev.spillway.gateway.api.bedrock.BedrockOperation;
import dev.spillway.gateway.api.bedrock.BedrockParser;
import dev.spillway.gateway.api.bedrock.BedrockRequest;
import dev.spillway.gateway.api.bedrock.ProfileRouter;
import dev.spillway.gateway.config.InferenceProfiles;
import dev.spillway.gateway.config.ServerConfig;
import dev.spillway.gateway.config.TenantConfig;
import dev.spillway.gateway.core.Gateway;
import dev.spillway.gateway.core.GatewayRequest;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.gateway.tenancy.ApiKey;
import dev.spillway.gateway.tenancy.SigV4Verifier;
import dev.spillway.gateway.tenancy.Tenancy;
import dev.spillway.gateway.tenancy.Ticket;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bedrock Runtime routes on one event loop, beside {@link HttpApi}'s: {@code POST
 * /model/{modelId}/converse}, {@code /converse-stream}, {@code /invoke} and
 * {@code /invoke-with-response-stream}, answered in Bedrock's shapes ({@code x-amzn-RequestId} on
 * every answer, {@code x-amzn-ErrorType} on errors).
 *
 * <p>Authentication, when the gateway has tenants: a SigV4 signature made with a tenant's AWS key, or
 * a bearer key ({@code Authorization: Bearer}, what Bedrock API keys send). A signature covers the
 * body's hash, so the body is read before the caller is known; the server's body limit bounds that.
 * With no tenants (the open default) any signature, or none, passes, as on the OpenAI routes.
 */
final class BedrockApi {

  static final CharSequence AMZN_REQUEST_ID = HttpHeaders.createOptimized("x-amzn-RequestId");
  /** The model id may hold {@code %2F} (ARNs): the router matches the path before decoding it. */
  private static final String PATH = "/model/(?<id>[^/]+)/(?<op>[a-z-]+)";

  private static final Logger log = LoggerFactory.getLogger(BedrockApi.class);
  private static final String EXCHANGE = "spillway.bedrockExchange";

  private final ContextExecutor home;
  private final Gateway gateway;
  private final Tenancy tenancy;
  private final ServerConfig config;
  private final GatewayMetrics metrics;
  private final LimitAdmission limits;
  private final Ledger ledger;
  private final InFlight inFlight;
  private final SigV4Verifier sigV4;
  private final ProfileRouter profiles;
  private final LongSupplier nanoTime;
  private final LongSupplier currentTimeMillis;
  /** This loop's Bedrock exchanges that reached the core and have not ended. */
  private final Set<BedrockExchange> live = new HashSet<>();

  BedrockApi(
      ContextExecutor home, Gateway gateway, Tenancy tenancy, ServerConfig config,
      GatewayMetrics metrics, Ledger ledger, ProfileRouter profiles, InFlight inFlight,
      LongSupplier nanoTime, LongSupplier currentTimeMillis) {
    this.profiles = profiles;
    this.home = home;
    this.gateway = gateway;
    this.tenancy = tenancy;
    this.config = config;
    this.metrics = metrics;
    this.limits = new LimitAdmission(tenancy, metrics, home);
    this.ledger = ledger;
    this.inFlight = inFlight;
    this.sigV4 = new SigV4Verifier(tenancy.keys(), currentTimeMillis);
    this.nanoTime = nanoTime;
    this.currentTimeMillis = currentTimeMillis;
  }

  /** Adds the routes, and a failure handler for them that answers in Bedrock's shape. */
  void route(Router router, BodyHandler body) {
    router.route("/model/*").handler(this::prepare).failureHandler(this::failure);
    router.postWithRegex(PATH).handler(this::admit);
    router.postWithRegex(PATH).handler(body).handler(this::generate);
    router.route("/model/*").handler(this::unknownOperation);
  }

  /** Ends this loop's Bedrock exchanges still in flight, as {@link HttpApi#cancelInFlight()} does. */
  void cancelInFlight() {
    for (BedrockExchange exchange : List.copyOf(live)) {
      exchange.shutdown();
    }
  }

  private void prepare(RoutingContext ctx) {
    String id = ctx.get(HttpApi.ID_KEY);
    if (id != null) {
      ctx.response().putHeader(AMZN_REQUEST_ID, id);
    }
    ctx.next();
  }

  private void admit(RoutingContext ctx) {
    boolean counted =
        inFlight.admit(
            ctx.response(),
            response -> BedrockErrors.send(response, BedrockError.from(Exchange.shuttingDown())),
            () -> {
              BedrockExchange exchange = ctx.get(EXCHANGE);
              if (exchange != null) {
                live.remove(exchange);
              }
            });
    if (counted) {
      ctx.next();
    }
  }

  private void generate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Optional<BedrockOperation> operation = BedrockOperation.ofPath(ctx.pathParam("op"));
    if (operation.isEmpty()) {
      unknownOperation(ctx);
      return;
    }
    Buffer buffer = ctx.body().buffer();
    byte[] body = buffer == null ? new byte[0] : buffer.getBytes();
    ApiKey key = null;
    if (tenancy.keyed()) {
      key = authenticate(request, body);
      if (key == null) {
        return;
      }
    }
    // An application inference profile is served by its model, and recorded with its tag.
    String modelId = ctx.pathParam("id");
    Optional<InferenceProfiles.Application> application = profiles.application(modelId);
    if (application.isPresent()
        && application.get().tenant().isPresent()
        && (key == null || !application.get().tenant().get().equals(key.tenant()))) {
      BedrockErrors.send(
          ctx.response(),
          BedrockError.forbidden(
              BedrockError.ACCESS_DENIED,
              "modelId: " + modelId + " (expected: an application inference profile of the caller's tenant)"));
      return;
    }
    String tag = application.map(InferenceProfiles.Application::tag).orElse(null);
    BedrockRequest parsed;
    try {
      parsed =
          BedrockParser.parse(
              operation.get(), application.map(InferenceProfiles.Application::model).orElse(modelId), body,
              ctx.get(HttpApi.ID_KEY),
              name -> request.getHeader(name), gateway::model, profiles.geographies());
      // A cross-region inference profile runs only on the model's pools in its regions.
      parsed = parsed.withCore(parsed.core().withPools(profiles.pools(parsed.modelId(), parsed.model())));
    } catch (BedrockError e) {
      BedrockErrors.send(ctx.response(), e);
      return;
    }
    if (key == null) {
      submit(ctx, parsed, tag, Ticket.NONE);
      return;
    }
    ApiKey caller = key;
    TenantConfig tenant =
        tenancy.tenant(key.tenant()).orElseThrow(
            () -> new IllegalStateException("key " + caller.id() + ": tenant " + caller.tenant() + " not configured"));
    GatewayRequest core = parsed.core();
    if (!tenant.allowsModel(parsed.model().name())) {
      log.info("403: key {} of tenant {} may not use model {}", key.id(), tenant.name(), parsed.model().name());
      BedrockErrors.send(
          ctx.response(), BedrockError.from(TenancyErrors.modelNotAllowed(tenant.name(), parsed.modelId().sent())));
      return;
    }
    if (!tenant.allowsTier(core.tier())) {
      BedrockErrors.send(ctx.response(), BedrockError.from(TenancyErrors.tierNotAllowed(tenant.name(), core.tier())));
      return;
    }
    BedrockRequest admitted = parsed.withCore(core.withIdentity(tenant.name(), key.id()));
    limits.admit(
        ctx, tenant.name(), parsed.model().name(), core,
        error -> BedrockErrors.send(ctx.response(), BedrockError.from(error)),
        ticket -> submit(ctx, admitted, tag, ticket));
  }

  /**
   * The caller's key, or null once the refusal is sent: 403 {@code InvalidSignatureException} for a
   * signature that does not verify (a wrong secret, a stale date), {@code UnrecognizedClientException}
   * for an unknown key, {@code MissingAuthenticationTokenException} for none; an operator's key is
   * {@code AccessDeniedException}.
   */
  private ApiKey authenticate(HttpServerRequest request, byte[] body) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    ApiKey key;
    if (SigV4Verifier.signed(authorization)) {
      SigV4Verifier.Outcome outcome =
          sigV4.verify(
              new SigV4Verifier.SignedRequest(
                  request.method().name(), request.path(), request.query() == null ? "" : request.query(),
                  name -> header(request, name), body));
      if (outcome.key().isEmpty()) {
        SigV4Verifier.Failure failure = outcome.failure().orElseThrow();
        log.debug("403 {}: {}", request.path(), outcome.message());
        BedrockErrors.send(
            request.response(),
            BedrockError.forbidden(
                failure == SigV4Verifier.Failure.UNKNOWN_KEY
                    ? BedrockError.UNRECOGNIZED_CLIENT
                    : BedrockError.INVALID_SIGNATURE,
                outcome.message()));
        return null;
      }
      key = outcome.key().get();
    } else {
      String secret = Credentials.presented(request);
      if (secret == null) {
        BedrockErrors.send(
            request.response(),
            BedrockError.forbidden(
                BedrockError.MISSING_TOKEN,
                "Missing Authentication Token (expected: a SigV4 signature with a tenant's AWS key,"
                    + " or Authorization: Bearer <key>)"));
        return null;
      }
      key = tenancy.keys().bearer(secret).orElse(null);
      if (key == null) {
        BedrockErrors.send(
            request.response(),
            BedrockError.forbidden(
                BedrockError.UNRECOGNIZED_CLIENT,
                "The security token included in the request is invalid (expected: a key configured for a tenant)."));
        return null;
      }
    }
    if (key.admin()) {
      BedrockErrors.send(
          request.response(),
          BedrockError.forbidden(
              BedrockError.ACCESS_DENIED, "key " + key.id() + ": an admin key (expected: a tenant's key)"));
      return null;
    }
    return key;
  }

  /** A header's value for the signature: several values joined by commas; {@code host} from the authority. */
  private static String header(HttpServerRequest request, String name) {
    List<String> values = request.headers().getAll(name);
    if (!values.isEmpty()) {
      return String.join(",", values);
    }
    if (name.equals("host")) {
      HostAndPort authority = request.authority();
      if (authority != null) {
        return authority.port() >= 0 ? authority.host() + ":" + authority.port() : authority.host();
      }
    }
    return null;
  }

  private void submit(RoutingContext ctx, BedrockRequest parsed, String tag, Ticket ticket) {
    Long start = ctx.get(HttpApi.START_KEY);
    if (inFlight.isCancelling()) {
      ticket.endedEarly(0);
      BedrockErrors.send(ctx.response(), BedrockError.from(Exchange.shuttingDown()));
      return;
    }
    BedrockExchange exchange =
        new BedrockExchange(
            ctx.response(), parsed, home,
            new Exchange.Overhead(metrics, nanoTime, start == null ? nanoTime.getAsLong() : start),
            ticket, ledger, currentTimeMillis, profiles, tag);
    if (!ctx.response().ended() && !ctx.response().closed()) {
      ctx.put(EXCHANGE, exchange);
      live.add(exchange);
    }
    exchange.submit(gateway);
  }

  private void unknownOperation(RoutingContext ctx) {
    BedrockErrors.send(
        ctx.response(),
        new BedrockError(
            404, BedrockError.UNKNOWN_OPERATION,
            "path: " + ctx.request().method() + " " + ctx.request().path()
                + " (expected: POST /model/{modelId}/converse, /converse-stream, /invoke or"
                + " /invoke-with-response-stream)",
            Optional.empty()));
  }

  /** An oversized body or a bad request is the client's fault, anything else the gateway's. */
  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    BedrockError error;
    if (ctx.failure() instanceof BedrockError) {
      error = (BedrockError) ctx.failure();
    } else if (status == 413) {
      error =
          BedrockError.validation(
              "body: over " + config.maxBodyBytes() + " bytes (expected: at most " + config.maxBodyBytes() + " bytes)");
    } else if (status >= 400 && status < 500) {
      error = BedrockError.validation(HttpResponseStatus.valueOf(status).reasonPhrase());
    } else {
      log.warn("{} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      error =
          new BedrockError(
              500, BedrockError.INTERNAL, "internal error (request id " + ctx.get(HttpApi.ID_KEY) + ")",
              Optional.empty());
    }
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      if (!response.ended() && !response.closed()) {
        response.reset();
      }
    } else {
      BedrockErrors.send(response, error);
    }
  }
}
