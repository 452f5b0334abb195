package dev.spillway.gateway.http;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.core.GatewayRequest;
import dev.spillway.gateway.metrics.GatewayMetrics;
import dev.spillway.gateway.tenancy.Tenancy;
import dev.spillway.gateway.tenancy.Ticket;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/**
 * A generation request held to its tenant's limits, the same way for every API: its share is
 * reserved (in memory, or by one script in the shared store), and the answer comes back on the
 * request's home loop, where the response gets the limits' headers and the request either goes on
 * with its ticket or is refused. The refusal is an OpenAI error; each API sends it in its own shape.
 */
final class LimitAdmission {

  private final Tenancy tenancy;
  private final GatewayMetrics metrics;
  private final ContextExecutor home;

  LimitAdmission(Tenancy tenancy, GatewayMetrics metrics, ContextExecutor home) {
    this.tenancy = requireNonNull(tenancy, "tenancy");
    this.metrics = requireNonNull(metrics, "metrics");
    this.home = requireNonNull(home, "home");
  }

  /**
   * Admits {@code core}, a request of {@code tenant} for the model named {@code model}: at once with
   * {@link Ticket#NONE} when the tenant has no limits, else once its share is reserved.
   */
  void admit(
      RoutingContext ctx, String tenant, String model, GatewayRequest core, Consumer<OpenAiError> refuse,
      Consumer<Ticket> admitted) {
    if (!tenancy.limited(tenant)) {
      admitted.accept(Ticket.NONE);
      return;
    }
    tenancy
        .reserve(tenant, model, core.tier(), core.promptTokens(), core.maxOutputTokens())
        .whenComplete(
            (decision, failure) ->
                home.execute(() -> {
                  if (failure != null) {
                    ctx.fail(failure);
                    return;
                  }
                  RateLimitHeaders.put(ctx.response(), decision.states());
                  if (!decision.admitted()) {
                    metrics.quotaRejected(tenant, decision.denied().get().label());
                    refuse.accept(TenancyErrors.denied(decision));
                    return;
                  }
                  admitted.accept(tenancy.ticket(decision, model, core.tier(), core.promptTokens()));
                }));
  }
}
