package dev.spillway.loadtest.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.time.Clock;
import dev.spillway.loadtest.metrics.RequestRecord;
import dev.spillway.loadtest.workload.PlannedRequest;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One request in flight and what it observed: each token's arrival, usage, and the pool, cost and
 * price the gateway reported.
 *
 * <p>Implementation notes. {@link Call} sends it and decides its end; {@code [DONE]} is one more way
 * to end it, after which the upstream is left to end its response. Token times follow vLLM's bench: the first
 * SSE chunk with a non-empty {@code choices} is the first token, even with empty content (the role
 * chunk); after it, each chunk with non-empty content (or {@code text}) is a token arrival. A role
 * chunk followed by the first content is one arrival, not two, and chunks with an empty delta (the
 * finish chunk) are none, so neither adds a zero gap to ITL. The request ends at its last token; the
 * usage chunk and {@code [DONE]} come after. Output tokens are {@code usage.completion_tokens} when
 * reported, else the content chunks counted.
 */
final class Exchange extends Call {

  static final String POOL_HEADER = "x-spillway-pool";
  static final String COST_HEADER = "x-spillway-cost-usd";
  static final String PRICE_HEADER = "x-spillway-price-usd";
  /** Error bodies kept for the user, at most. */
  private static final int MAX_ERROR_BYTES = 2048;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean chat;
  private final SseDecoder decoder = new SseDecoder();

  private long[] tokens = new long[16];
  private int tokenCount;
  private boolean firstHadText;
  private int textChunks;
  private int usageTokens = -1;
  private String pool = "";
  private double costUsd;
  private double priceUsd;
  private boolean finishReasonSeen;
  private boolean responded;

  Exchange(
      PlannedRequest planned, long intendedNanos, boolean warmup, boolean chat, Clock clock, long origin,
      Consumer<? super Call> onDone) {
    super(planned, intendedNanos, warmup, clock, origin, onDone);
    this.chat = chat;
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
  boolean responded() {
    return responded;
  }

  @Override
  void onResponse(HttpClientResponse response) {
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
    end(finish(tokens[0], tokens[tokenCount - 1], output, null));
  }

  @Override
  RequestRecord failed(String kind, long now) {
    int output = usageTokens >= 0 ? usageTokens : textChunks;
    return finish(tokenCount == 0 ? -1 : tokens[0], now, output, kind);
  }

  @Override
  String progress() {
    return " (" + tokenCount + " tokens)";
  }

  private RequestRecord finish(long firstTokenNanos, long endNanos, int outputTokens, String error) {
    return record(
        firstTokenNanos, endNanos, Arrays.copyOf(tokens, tokenCount), outputTokens, error, pool,
        costUsd, priceUsd);
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
