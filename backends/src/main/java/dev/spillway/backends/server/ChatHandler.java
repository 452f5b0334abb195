package dev.spillway.backends.server;

import dev.spillway.backends.emulator.ModelProfile;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Replica;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code POST /v1/chat/completions}: parses the body, checks the model, and submits the request to the
 * replica with the least outstanding work (prompt tokens to prefill plus output tokens to generate).
 * Ties rotate, so an idle pool fills evenly.
 *
 * <p>Runs on the server's context, the one the replicas' clock runs on.
 */
final class ChatHandler implements Handler<RoutingContext> {

  private final List<Replica> replicas;
  /** The name the pool is served under; listed by {@code /v1/models}. */
  private final String servedModel;
  /** The model profile; requests may name it by any of its aliases. */
  private final ModelProfile profile;
  private final ServerMetrics metrics;
  private final String idPrefix;
  private long sequence;
  private int next;

  ChatHandler(
      List<Replica> replicas, String servedModel, ModelProfile profile, ServerMetrics metrics,
      String idPrefix) {
    this.replicas = List.copyOf(replicas);
    this.servedModel = servedModel;
    this.profile = profile;
    this.metrics = metrics;
    this.idPrefix = idPrefix;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    ChatRequest chat;
    try {
      chat = ChatCodec.parse(body == null ? new byte[0] : body.getBytes());
    } catch (ApiError e) {
      e.send(ctx.response());
      return;
    }
    if (!serves(chat.model())) {
      new ApiError(
              404, ApiError.INVALID_REQUEST,
              "model: " + chat.model() + " (expected: " + servedModel + ", the model this server serves)",
              "model", "model_not_found")
          .send(ctx.response());
      return;
    }
    if ((long) chat.promptTokens() + chat.maxOutputTokens() > Integer.MAX_VALUE) {
      // Replicas add the two as ints; no model holds this many tokens anyway.
      ApiError.invalid(
              "max_tokens",
              "max_tokens: " + chat.maxOutputTokens() + " (expected: at most "
                  + (Integer.MAX_VALUE - chat.promptTokens()) + " with a prompt of "
                  + chat.promptTokens() + " tokens)")
          .send(ctx.response());
      return;
    }
    String id = "chatcmpl-" + idPrefix + Long.toString(sequence++, 36);
    InferenceRequest request =
        new InferenceRequest(
            id, profile.name(), chat.promptTokens(), chat.maxOutputTokens(), chat.prompt(), 0,
            chat.sampling(), chat.tier(), chat.tenant(), InferenceRequest.NO_DEADLINE,
            chat.output());
    long created = System.currentTimeMillis() / 1000;
    new ChatExchange(ctx.response(), chat, metrics, id, created).submit(pick(), request);
  }

  private boolean serves(String model) {
    return model.equals(servedModel) || profile.matches(model);
  }

  /** The replica with the least outstanding tokens, scanning from a rotating start. */
  private Replica pick() {
    int n = replicas.size();
    Replica best = null;
    long least = Long.MAX_VALUE;
    for (int k = 0; k < n; k++) {
      Replica replica = replicas.get((next + k) % n);
      long outstanding = replica.load().outstandingTokens();
      if (outstanding < least) {
        best = replica;
        least = outstanding;
      }
    }
    next = (next + 1) % n;
    return best;
  }
}
