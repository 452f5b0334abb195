package dev.spillway.loadtest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.time.Clock;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.workload.PlannedRequest;
import io.vertx.core.AsyncResult;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One request in flight and what it observed: each token's arrival, usage, and the pool, cost and
 * price the gateway reported.
 *
 * <p>Implementation notes. Exactly one record comes out: {@link #done} is set before it is handed to
 * the callback, and every path checks it first, so whichever of {@code [DONE]}, the response's end, a
 * broken connection or the deadline comes first decides. Token times follow vLLM's bench: the first
 * SSE chunk with a non-empty {@code choices} is the first token, even with empty content (the role
 * chunk); after it, each chunk with non-empty content (or {@code text}) is a token arrival. A role
 * chunk followed by the first content is one arrival, not two, and chunks with an empty delta (the
 * finish chunk) are none, so neither adds a zero gap to ITL. The request ends at its last token; the
 * usage chunk and {@code [DONE]} come after. Output tokens are {@code usage.completion_tokens} when
 * reported, else the content chunks counted.
 *
 * <p>Confined to the run's context: started there, so every HTTP callback and the deadline run there.
 */
final class Exchange implements Call {

  static final String POOL_HEADER = "x-spillway-pool";
  static final String COST_HEADER = "x-spillway-cost-usd";
  static final String PRICE_HEADER = "x-spillway-price-usd";
  /** Error bodies kept for the user, at most. */
  private static final int MAX_ERROR_BYTES = 2048;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PlannedRequest planned;
  private final Clock clock;
  /** Clock time of the run's start: record times are relative to it. */
  private final long origin;
  private final long intendedNanos;
  private final boolean warmup;
  private final boolean chat;
  private final Consumer<Exchange> onDone;
  private final SseDecoder decoder = new SseDecoder();

  private long sentNanos;
  private long[] tokens = new long[16];
  private int tokenCount;
  private boolean firstHadText;
  private int textChunks;
  private int usageTokens = -1;
  private String pool = "";
  private double costUsd;
  private double priceUsd;
  private boolean finishReasonSeen;

  private Clock.Timer deadline;
  private HttpClientRequest http;
  private boolean responded;
  private boolean done;
  private boolean ended;
  private RequestRecord record;
  private String errorMessage;

  Exchange(
      PlannedRequest planned, long intendedNanos, boolean warmup, boolean chat, Clock clock, long origin,
      Consumer<Exchange> onDone) {
    this.planned = planned;
    this.intendedNanos = intendedNanos;
    this.warmup = warmup;
    this.chat = chat;
    this.clock = clock;
    this.origin = origin;
    this.onDone = onDone;
  }

  /** Loads and exercises the chunk parser once, off the clock. */
  static void warmUp() {
    try {
      JSON.readTree("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}],"
          + "\"usage\":null,\"spillway\":{\"pool\":\"p\",\"cost_usd\":0.1}}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  PlannedRequest planned() {
    return planned;
  }

  @Override
  public RequestRecord record() {
    return record;
  }

  @Override
  public String errorMessage() {
    return errorMessage;
  }

  @Override
  public void start(HttpClient client, RequestOptions options, Buffer body, long sentNanos, long timeoutNanos) {
    this.sentNanos = sentNanos;
    deadline = clock.schedule(origin + sentNanos + timeoutNanos, this::onDeadline);
    try {
      client.request(options).onComplete(ar -> onConnected(ar, body));
    } catch (RuntimeException e) {
      fail("connection", "cannot send: " + e.getMessage());
    }
  }

  private void onConnected(AsyncResult<HttpClientRequest> ar, Buffer body) {
    if (ar.failed()) {
      ended = true;
      fail("connection", "cannot connect: " + ar.cause().getMessage());
      return;
    }
    HttpClientRequest request = ar.result();
    if (done) {
      ended = true;
      request.reset();
      return;
    }
    http = request;
    request.send(body).onComplete(response -> {
      if (response.failed()) {
        ended = true;
        fail(responded ? "stream_error" : "connection", "no response: " + response.cause().getMessage());
      } else {
        onResponse(response.result());
      }
    });
  }

  private void onResponse(HttpClientResponse response) {
    if (done) {
      return;
    }
    responded = true;
    readHeaders(response.headers());
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      Buffer error = Buffer.buffer();
      response.handler(chunk -> {
        int room = MAX_ERROR_BYTES - error.length();
        if (room > 0) {
          error.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
        }
      });
      response.endHandler(v -> {
        ended = true;
        fail("http_" + status, "HTTP " + status + ": " + error.toString().trim());
      });
      response.exceptionHandler(e -> {
        ended = true;
        fail("http_" + status, "HTTP " + status + ": " + error.toString().trim());
      });
      return;
    }
    response.exceptionHandler(e -> {
      ended = true;
      fail("stream_error", "the response broke after " + tokenCount + " tokens: " + e.getMessage());
    });
    if (planned.stream()) {
      response.handler(this::onChunk);
      response.endHandler(v -> onStreamEnd());
    } else {
      Buffer body = Buffer.buffer();
      response.handler(body::appendBuffer);
      response.endHandler(v -> onBody(body));
    }
  }

  private void onChunk(Buffer chunk) {
    if (done) {
      return;
    }
    long now = now();
    if (!decoder.feed(chunk, data -> onEvent(data, now))) {
      fail("stream_error", "an SSE line over " + SseDecoder.MAX_LINE_BYTES + " bytes");
    }
  }

  private void onStreamEnd() {
    ended = true;
    if (done) {
      cancelDeadline();
      return;
    }
    long now = now();
    decoder.finish(data -> onEvent(data, now));
    if (done) {
      cancelDeadline();
      return;
    }
    if (finishReasonSeen) {
      succeed(now); // finished without [DONE]: some servers just close
    } else {
      fail("stream_error", "the stream ended before [DONE] after " + tokenCount + " tokens");
    }
  }

  private void onEvent(String data, long now) {
    if (done) {
      return;
    }
    if (data.startsWith("[DONE]")) {
      succeed(now);
      return;
    }
    if (data.isBlank()) {
      return;
    }
    JsonNode chunk;
    try {
      chunk = JSON.readTree(data);
    } catch (Exception e) {
      fail("stream_error", "a chunk that is not JSON: " + abbreviate(data));
      return;
    }
    if (chunk == null || !chunk.isObject()) {
      fail("stream_error", "a chunk that is not a JSON object: " + abbreviate(data));
      return;
    }
    JsonNode error = chunk.get("error");
    if (error != null && !error.isNull()) {
      fail("stream_error", "an error mid-stream: " + abbreviate(error.toString()));
      return;
    }
    readFacts(chunk);
    JsonNode choices = chunk.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      return;
    }
    JsonNode choice = choices.get(0);
    JsonNode text = chat ? choice.path("delta").get("content") : choice.get("text");
    boolean hasText = text != null && text.isTextual() && !text.asText().isEmpty();
    if (tokenCount == 0) {
      addToken(now);
      firstHadText = hasText;
      if (hasText) {
        textChunks++;
      }
    } else if (hasText) {
      if (!firstHadText && textChunks == 0) {
        firstHadText = true; // the role chunk was the first token's arrival; this is its content
      } else {
        addToken(now);
      }
      textChunks++;
    }
    JsonNode reason = choice.get("finish_reason");
    if (reason != null && reason.isTextual()) {
      finishReasonSeen = true;
    }
  }

  private void onBody(Buffer body) {
    ended = true;
    if (done) {
      cancelDeadline();
      return;
    }
    long now = now();
    JsonNode json;
    try {
      json = JSON.readTree(body.getBytes());
    } catch (Exception e) {
      json = null;
    }
    if (json == null || !json.isObject()) {
      fail("stream_error", "a body that is not a JSON object: " + abbreviate(body.toString()));
      return;
    }
    JsonNode error = json.get("error");
    if (error != null && !error.isNull()) {
      fail("stream_error", "an error in the body: " + abbreviate(error.toString()));
      return;
    }
    readFacts(json);
    addToken(now);
    textChunks = 1;
    succeed(now);
  }

  /** Usage and the {@code spillway} object, wherever they appear (the usage or the finish chunk). */
  private void readFacts(JsonNode json) {
    JsonNode usage = json.get("usage");
    if (usage != null && usage.isObject() && usage.path("completion_tokens").canConvertToInt()) {
      usageTokens = usage.get("completion_tokens").asInt();
    }
    JsonNode facts = json.get("spillway");
    if (facts != null && facts.isObject()) {
      if (facts.path("pool").isTextual()) {
        pool = facts.get("pool").asText();
      }
      if (facts.path("cost_usd").isNumber()) {
        costUsd = facts.get("cost_usd").asDouble();
      }
      if (facts.path("price_usd").isNumber()) {
        priceUsd = facts.get("price_usd").asDouble();
      }
    }
  }

  private void readHeaders(MultiMap headers) {
    String headerPool = headers.get(POOL_HEADER);
    if (headerPool != null) {
      pool = headerPool;
    }
    costUsd = number(headers.get(COST_HEADER), costUsd);
    priceUsd = number(headers.get(PRICE_HEADER), priceUsd);
  }

  private void addToken(long now) {
    if (tokenCount == tokens.length) {
      tokens = Arrays.copyOf(tokens, tokens.length * 2);
    }
    tokens[tokenCount++] = now;
  }

  private void succeed(long now) {
    if (done) {
      return;
    }
    done = true;
    if (ended) {
      cancelDeadline(); // else the deadline resets a response that never ends after [DONE]
    }
    if (tokenCount == 0) {
      addToken(now); // a stream with no choices at all: the end is its only arrival
    }
    int output = usageTokens >= 0 ? usageTokens : textChunks;
    finish(tokens[0], tokens[tokenCount - 1], output, null);
  }

  private void fail(String kind, String message) {
    if (done) {
      return;
    }
    done = true;
    errorMessage = message;
    cancelDeadline();
    if (http != null && !ended) {
      ended = true;
      http.reset();
    }
    int output = usageTokens >= 0 ? usageTokens : textChunks;
    finish(tokenCount == 0 ? -1 : tokens[0], now(), output, kind);
  }

  private void onDeadline() {
    deadline = null;
    if (done) {
      if (http != null && !ended) {
        ended = true;
        http.reset(); // finished at [DONE], but the response never ended
      }
      return;
    }
    fail("timeout", "no complete answer " + (now() - sentNanos) / 1_000_000 + " ms after sending ("
        + tokenCount + " tokens)");
  }

  private void finish(long firstTokenNanos, long endNanos, int outputTokens, String error) {
    record = new RequestRecord(
        planned.index(),
        planned.model(),
        planned.tenant(),
        planned.tier().wireName(),
        planned.promptTokens(),
        planned.outputTokens(),
        intendedNanos,
        sentNanos,
        firstTokenNanos,
        endNanos,
        Arrays.copyOf(tokens, tokenCount),
        outputTokens,
        error,
        pool,
        costUsd,
        priceUsd,
        warmup);
    onDone.accept(this);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  private long now() {
    return clock.nanoTime() - origin;
  }

  private static double number(String text, double otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…";
  }
}
