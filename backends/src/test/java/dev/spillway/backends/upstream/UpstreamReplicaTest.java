package dev.spillway.backends.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.Backend;
import dev.spillway.backends.spi.BackendException;
import dev.spillway.backends.spi.Capacity;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.LoadSnapshot;
import dev.spillway.backends.spi.Prediction;
import dev.spillway.backends.spi.Replica;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.time.ContextExecutor;
import dev.spillway.backends.upstream.UpstreamHarness.Recording;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The upstream replica against servers scripted on a raw Vert.x {@link HttpServer}: a well-behaved
 * stream in every framing consumers tolerate, and the ways real upstreams misbehave (error statuses,
 * closing mid-stream, garbage, error events, stalls, refused connections), plus cancellation. Each
 * scenario is a path prefix, so one server plays them all.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class UpstreamReplicaTest {

  private static final String RATE_LIMIT_MESSAGE =
      "Rate limit reached for llama in organization org-x on tokens per min (TPM): Limit 30000, "
          + "Used 29937, Requested 385. Please try again in 644ms.";

  private static Vertx serverVertx;
  private static HttpServer server;
  private static String base;
  private static UpstreamHarness harness;

  /** What each scenario's server saw of the request. */
  private static final Map<String, JsonObject> bodies = new ConcurrentHashMap<>();
  private static final Map<String, MultiMap> headers = new ConcurrentHashMap<>();
  /** Completed when the server sees a scenario's connection close. */
  private static final Map<String, CompletableFuture<Void>> closed = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    serverVertx = Vertx.vertx();
    server =
        serverVertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(UpstreamReplicaTest::script)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort();
    harness = new UpstreamHarness();
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
    serverVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- the scripted upstreams

  private static void script(HttpServerRequest request) {
    String path = request.path();
    String scenario = path.substring(1, path.indexOf('/', 1));
    closed.computeIfAbsent(scenario, s -> new CompletableFuture<>());
    request.connection().closeHandler(v -> closed.get(scenario).complete(null));
    request
        .body()
        .onSuccess(
            body -> {
              bodies.put(scenario, body.toJsonObject());
              headers.put(scenario, MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
              respond(scenario, request, request.response());
            });
  }

  private static void respond(String scenario, HttpServerRequest request, HttpServerResponse response) {
    if (scenario.startsWith("status-")) {
      int status = Integer.parseInt(scenario.substring("status-".length()));
      String message = status == 429 ? RATE_LIMIT_MESSAGE : "scripted " + status + ": upstream says no";
      if (status == 429) {
        response.putHeader("Retry-After", "7");
      } else if (status == 503) {
        response.putHeader("retry-after-ms", "2500");
      }
      response
          .setStatusCode(status)
          .putHeader("content-type", "application/json")
          .end(
              new JsonObject()
                  .put("error", new JsonObject().put("message", message).put("type", "x").putNull("param").putNull("code"))
                  .encode());
      return;
    }
    if (scenario.startsWith("endless")) {
      stream(response);
      long timer =
          serverVertx.setPeriodic(
              30, id -> {
                if (!response.closed()) {
                  response.write("data: " + chunk("tok", null) + "\n\n");
                }
              });
      response.closeHandler(v -> serverVertx.cancelTimer(timer));
      return;
    }
    switch (scenario) {
      case "ok":
        stream(response);
        // CRLF framing, no space after "data:", a comment, a role chunk with empty content.
        response.write(": keep-alive\r\n\r\n");
        response.write("data:" + chunk("", null) + "\r\n\r\n");
        for (String token : List.of("Hel", "lo", " wörld")) {
          response.write("data:" + chunk(token, null) + "\r\n\r\n");
        }
        response.write("data: " + chunk(null, "stop") + "\r\n\r\n");
        response.write(
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}\r\n\r\n");
        response.end("data: [DONE]\r\n\r\n");
        break;
      case "two-then-close":
        stream(response);
        response.write("data: " + chunk("one", null) + "\n\n");
        response.write("data: " + chunk(" two", null) + "\n\n");
        serverVertx.setTimer(50, id -> request.connection().close());
        break;
      case "headers-then-close":
        stream(response);
        response.write(": starting\n\n");
        serverVertx.setTimer(50, id -> request.connection().close());
        break;
      case "garbage":
        stream(response);
        response.write("data: " + chunk("fine", null) + "\n\n");
        response.write("data: <html>502 Bad Gateway</html>\n\n"); // and the connection stays open
        break;
      case "error-event":
        stream(response);
        response.write("data: " + chunk("fine", null) + "\n\n");
        response.end("data: {\"error\":{\"message\":\"engine died\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
        break;
      case "no-done":
        stream(response);
        response.end("data: " + chunk("cut", null) + "\n\n");
        break;
      case "json-answer":
        // Some providers answer a streaming request with one plain chat.completion.
        response
            .putHeader("content-type", "application/json; charset=utf-8")
            .end(
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                    + "\"Rivers run to the sea.\"},\"finish_reason\":\"length\"}],"
                    + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":6,\"total_tokens\":18}}");
        break;
      case "json-garbage":
        response.putHeader("content-type", "application/json").end("{\"object\":\"chat.completion\"}");
        break;
      case "stall":
        break; // never answers
      default:
        response.setStatusCode(500).end();
    }
  }

  private static void stream(HttpServerResponse response) {
    response.setChunked(true).putHeader("content-type", "text/event-stream");
  }

  private static String chunk(String content, String finishReason) {
    JsonObject delta = new JsonObject();
    if (content != null) {
      delta.put("content", content);
    }
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).put("finish_reason", finishReason);
    return new JsonObject()
        .put("id", "c")
        .put("object", "chat.completion.chunk")
        .put("created", 1)
        .put("model", "m")
        .put("choices", new JsonArray().add(choice))
        .putNull("usage")
        .encode();
  }

  // ---------------------------------------------------------------- helpers

  private static Replica replica(String scenario, Object... extra) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("url", base + "/" + scenario + "/v1");
    settings.put("timeoutSeconds", 5);
    for (int i = 0; i < extra.length; i += 2) {
      settings.put((String) extra[i], extra[i + 1]);
    }
    return harness.backend("pool-" + scenario, "my-llama", settings).replicas().get(0);
  }

  private static InferenceRequest request(String id) {
    return UpstreamHarness.request(id, "my-llama", 9, 32);
  }

  private static void assertIdle(Replica replica) {
    LoadSnapshot load = harness.load(replica);
    assertThat(load.running()).as("in flight").isZero();
    assertThat(load.outstandingTokens()).as("outstanding tokens").isZero();
  }

  // ---------------------------------------------------------------- a well-behaved upstream

  @Test
  void sendsAStreamingRequestWithTheMappedModelSamplingTenantAndKey() throws Exception {
    Backend backend =
        harness.backend(
            "mapped", "my-llama",
            Map.of("url", base + "/ok/v1", "model", "upstream-llama", "apiKey", "sk-secret"));
    Replica replica = backend.replicas().get(0);

    Recording recording = harness.submit(replica, request("req-ok"));
    TokenEvent.Finish finish = recording.awaitFinish();

    JsonObject body = bodies.get("ok");
    assertThat(body.getString("model")).isEqualTo("upstream-llama");
    assertThat(body.getBoolean("stream")).isTrue();
    assertThat(body.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    assertThat(body.getInteger("max_tokens")).isEqualTo(32);
    assertThat(body.getDouble("temperature")).isEqualTo(0.7);
    assertThat(body.getDouble("top_p")).isEqualTo(0.9);
    assertThat(body.getLong("seed")).isEqualTo(42);
    assertThat(body.getJsonArray("stop")).containsExactly("\n\n");
    assertThat(body.getString("user")).isEqualTo("tenant-a");
    assertThat(body.getJsonArray("messages"))
        .containsExactly(new JsonObject().put("role", "user").put("content", "Write one sentence about rivers."));
    assertThat(headers.get("ok").get("authorization")).isEqualTo("Bearer sk-secret");
    assertThat(headers.get("ok").get("x-request-id")).isEqualTo("req-ok");
    assertThat(backend.description()).contains(base + "/ok/v1").contains("upstream-llama").doesNotContain("sk-secret");

    assertThat(recording.tokens()).extracting(TokenEvent.Token::text).containsExactly("Hel", "lo", " wörld");
    assertThat(finish.reason()).isEqualTo(FinishReason.STOP);
    assertThat(finish.usage().promptTokens()).as("the upstream's count, not ours").isEqualTo(11);
    assertThat(finish.usage().completionTokens()).isEqualTo(3);
    assertThat(finish.costUsd()).isZero();
    assertThat(finish.priceUsd()).isZero();
    assertThat(finish.queuedNanos()).isPositive();
    // The upstream's own time, request sent to last byte: what the gateway's overhead metric leaves out.
    assertThat(finish.serviceNanos()).isBetween(0L, Duration.ofSeconds(5).toNanos());
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void leavesTheHostsHandlingOfTheStreamOutOfTheUpstreamsServiceTime() throws Exception {
    Replica replica = replica("ok");
    long handling = Duration.ofMillis(100).toNanos();
    Recording recording = new Recording(harness.context);
    // The client side takes 100 ms over each token, on the loop the stream is read on.
    recording.onToken = () -> LockSupport.parkNanos(handling);
    long submitted = harness.clock.nanoTime();
    recording.submission = harness.onContext(() -> replica.submit(request("req-slow-host"), recording));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertThat(recording.tokens()).hasSize(3);
    // Counted, the three tokens' handling would make the service time most of the exchange.
    assertThat(finish.serviceNanos()).isBetween(0L, finish.atNanos() - submitted - 3 * handling);
  }

  @Test
  void predictsFromDefaultsUntilItHasObservedAnswers() throws Exception {
    Replica replica = replica("ok", "maxConcurrency", 8);
    InferenceRequest request = request("req-predict");

    Prediction fresh = harness.onContext(() -> replica.predict(request));
    Capacity capacity = replica.capacity();
    harness.submit(replica, request).awaitFinish();
    Prediction learned = harness.onContext(() -> replica.predict(request));

    assertThat(fresh).isEqualTo(new Prediction(Duration.ofMillis(200), Duration.ofMillis(20), 0));
    assertThat(capacity).isEqualTo(new Capacity(8, 0, 0, 0, Integer.MAX_VALUE, 0));
    // A local scripted server answers in far less than the defaults.
    assertThat(learned.ttft()).isLessThan(Duration.ofMillis(200));
    assertThat(learned.tpot()).isLessThan(Duration.ofMillis(20));
    assertThat(learned.costUsd()).isZero();
  }

  // ---------------------------------------------------------------- failures before the first token

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "429, OVERLOADED",
    "503, OVERLOADED",
    "400, INVALID_REQUEST",
    "404, INVALID_REQUEST",
    "413, INVALID_REQUEST",
    "422, INVALID_REQUEST",
    "401, UPSTREAM",
    "500, UPSTREAM",
    "502, UPSTREAM"
  })
  void failsBeforeTheFirstTokenWithTheKindTheStatusImplies(int status, BackendException.Kind kind)
      throws Exception {
    Replica replica = replica("status-" + status);

    Recording recording = harness.submit(replica, request("req-" + status));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(failure.beforeFirstToken()).isTrue();
    assertThat(failure.error().kind()).isEqualTo(kind);
    String upstreamMessage = status == 429 ? RATE_LIMIT_MESSAGE : "scripted " + status + ": upstream says no";
    if (kind == BackendException.Kind.INVALID_REQUEST) {
      assertThat(failure.error().getMessage()).as("the upstream's words, for the client").isEqualTo(upstreamMessage);
    } else {
      assertThat(failure.error().getMessage()).contains(String.valueOf(status)).contains(upstreamMessage);
    }
    // the upstream's own retry hint travels with an overload, in either header OpenAI-style servers use
    assertThat(failure.error().retryAfter())
        .isEqualTo(
            status == 429
                ? Optional.of(Duration.ofSeconds(7))
                : status == 503 ? Optional.of(Duration.ofMillis(2500)) : Optional.empty());
    assertThat(recording.tokens()).isEmpty();
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void failsAsUpstreamBeforeTheFirstTokenWhenTheConnectionIsRefused() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Replica replica =
        harness.backend("refused", "my-llama", Map.of("url", "http://127.0.0.1:" + closedPort + "/v1"))
            .replicas().get(0);

    Recording recording = harness.submit(replica, request("req-refused"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    assertThat(failure.beforeFirstToken()).isTrue();
    assertThat(failure.error().getMessage()).contains("cannot connect");
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void failsBeforeTheFirstTokenWhenTheUpstreamClosesRightAfterItsHeaders() throws Exception {
    Replica replica = replica("headers-then-close");

    Recording recording = harness.submit(replica, request("req-headers"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    assertThat(failure.beforeFirstToken()).as("nothing reached the client: a retry is invisible").isTrue();
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void timesOutWhenTheUpstreamStallsAndClosesItsConnection() throws Exception {
    Replica replica = replica("stall", "timeoutSeconds", 1);

    long started = System.nanoTime();
    Recording recording = harness.submit(replica, request("req-stall"));
    TokenEvent.Failure failure = recording.awaitFailure();
    long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.TIMEOUT);
    assertThat(failure.beforeFirstToken()).isTrue();
    assertThat(elapsedMillis).isBetween(900L, 3_000L);
    closed.get("stall").get(5, TimeUnit.SECONDS);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  // ---------------------------------------------------------------- failures after tokens

  @Test
  void failsAfterExactlyTwoTokensWhenTheUpstreamClosesMidStream() throws Exception {
    Replica replica = replica("two-then-close");

    Recording recording = harness.submit(replica, request("req-two"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(recording.tokens()).extracting(TokenEvent.Token::text).containsExactly("one", " two");
    assertThat(failure.beforeFirstToken()).isFalse();
    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void failsOnGarbageInsteadOfJsonAndClosesTheConnection() throws Exception {
    Replica replica = replica("garbage");

    Recording recording = harness.submit(replica, request("req-garbage"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(recording.tokens()).hasSize(1);
    assertThat(failure.beforeFirstToken()).isFalse();
    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    assertThat(failure.error().getMessage()).contains("not a JSON object").contains("<html>");
    closed.get("garbage").get(5, TimeUnit.SECONDS);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void failsOnAnErrorEventMidStreamWithItsMessage() throws Exception {
    Replica replica = replica("error-event");

    Recording recording = harness.submit(replica, request("req-error-event"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(recording.tokens()).hasSize(1);
    assertThat(failure.beforeFirstToken()).isFalse();
    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    assertThat(failure.error().getMessage()).contains("engine died");
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void failsWhenTheStreamEndsWithoutAFinishOrDone() throws Exception {
    Replica replica = replica("no-done");

    Recording recording = harness.submit(replica, request("req-no-done"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(recording.tokens()).hasSize(1);
    assertThat(failure.beforeFirstToken()).isFalse();
    assertThat(failure.error().getMessage()).contains("[DONE]");
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void runsTheExchangeOnTheSinksOwnLoopAndFreesTheSlotOnTheClocks() throws Exception {
    Replica replica = replica("ok");
    // The request's home: another event loop than the replica's clock, as a gateway connection's is.
    ContextExecutor home =
        new ContextExecutor(((io.vertx.core.internal.VertxInternal) harness.vertx).createEventLoopContext());
    Recording recording = new Recording(home);
    recording.submission = harness.onContext(() -> replica.submit(request("req-home"), recording));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertThat(recording.tokens()).extracting(TokenEvent.Token::text).containsExactly("Hel", "lo", " wörld");
    assertThat(finish.reason()).isEqualTo(FinishReason.STOP);
    recording.assertWellFormed(); // every event on the home's context, none on the clock's
    assertIdle(replica);
  }

  @Test
  void usesOneHttpClientPerEventLoopWhateverContextTheRequestRunsOn() throws Exception {
    Replica replica = replica("ok");
    // Vert.x runs every server request on a duplicate context of its own: twenty requests on one
    // loop, each on its own duplicate, as a gateway's connections' requests are.
    io.vertx.core.internal.ContextInternal base =
        ((io.vertx.core.internal.VertxInternal) harness.vertx).createEventLoopContext();
    for (int i = 0; i < 20; i++) {
      ContextExecutor home = new ContextExecutor(base.duplicate());
      Recording recording = new Recording(home);
      InferenceRequest request = request("req-dup-" + i);
      recording.submission = harness.onContext(() -> replica.submit(request, recording));
      recording.awaitFinish();
    }
    assertThat(((UpstreamReplica) replica).clients()).isEqualTo(1);
    assertIdle(replica);
  }

  // ---------------------------------------------------------------- a plain JSON answer

  @Test
  void acceptsAPlainChatCompletionAnsweredToAStreamingRequest() throws Exception {
    Replica replica = replica("json-answer");
    Recording recording = harness.submit(replica, request("req-json"));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertThat(bodies.get("json-answer").getBoolean("stream")).isTrue();
    assertThat(recording.tokens()).extracting(TokenEvent.Token::text).containsExactly("Rivers run to the sea.");
    assertThat(finish.reason()).isEqualTo(FinishReason.LENGTH);
    assertThat(finish.usage().promptTokens()).isEqualTo(12);
    assertThat(finish.usage().completionTokens()).isEqualTo(6);
    recording.assertWellFormed();
    assertIdle(replica);
  }

  @Test
  void failsBeforeTheFirstTokenOnAJsonAnswerWithoutAMessage() throws Exception {
    Replica replica = replica("json-garbage");
    Recording recording = harness.submit(replica, request("req-json-garbage"));
    TokenEvent.Failure failure = recording.awaitFailure();

    assertThat(failure.beforeFirstToken()).isTrue();
    assertThat(failure.error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    assertThat(failure.error().getMessage()).contains("without choices[0].message");
    recording.assertWellFormed();
    assertIdle(replica);
  }

  // ---------------------------------------------------------------- cancellation

  @Test
  void cancellingMidStreamFinishesAsCancelledAndClosesTheConnection() throws Exception {
    Replica replica = replica("endless", "maxConcurrency", 1);
    InferenceRequest request = request("req-cancel");
    AtomicReference<LoadSnapshot> loadAtSecondToken = new AtomicReference<>();
    AtomicReference<Boolean> capacityAtSecondToken = new AtomicReference<>();

    Recording recording = new Recording(harness.context);
    recording.onToken =
        () -> {
          if (recording.tokens().size() == 2) {
            loadAtSecondToken.set(replica.load());
            capacityAtSecondToken.set(replica.hasCapacityFor(request));
            // Not from inside the sink: the gateway cancels from its own handlers.
            harness.context.runOnContext(v -> recording.submission.cancel());
          }
        };
    recording.submission = harness.onContext(() -> replica.submit(request, recording));
    TokenEvent.Finish finish = recording.awaitFinish();

    assertThat(finish.reason()).isEqualTo(FinishReason.CANCELLED);
    assertThat(recording.tokens()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(finish.usage().completionTokens()).isEqualTo(recording.tokens().size());
    assertThat(finish.usage().promptTokens()).isEqualTo(9);
    // In flight at its whole budget, prompt plus max output: tokens are counted when it ends.
    assertThat(loadAtSecondToken.get()).isEqualTo(new LoadSnapshot(1, 0, 0, 0, 9 + 32));
    assertThat(capacityAtSecondToken.get()).as("at maxConcurrency").isFalse();
    closed.get("endless").get(5, TimeUnit.SECONDS);
    harness.cancel(recording); // a second cancel does nothing
    recording.assertWellFormed();
    assertIdle(replica);
    assertThat(harness.onContext(() -> replica.hasCapacityFor(request))).isTrue();
  }

  @Test
  void closingThePoolCancelsWhatIsInFlight() throws Exception {
    Backend backend =
        harness.backend("closing", "my-llama", Map.of("url", base + "/endless-close/v1", "timeoutSeconds", 5));
    Replica replica = backend.replicas().get(0);
    Recording recording = harness.submit(replica, request("req-close"));
    CompletableFuture<Void> firstToken = new CompletableFuture<>();
    recording.onToken = () -> firstToken.complete(null);
    firstToken.get(5, TimeUnit.SECONDS);

    backend.close(); // from the test thread: the replica hops to its clock's context
    TokenEvent.Finish finish = recording.awaitFinish();
    Recording afterClose = harness.submit(replica, request("req-after-close"));

    assertThat(finish.reason()).isEqualTo(FinishReason.CANCELLED);
    closed.get("endless-close").get(5, TimeUnit.SECONDS);
    recording.assertWellFormed();
    assertThat(afterClose.awaitFailure().error().kind()).isEqualTo(BackendException.Kind.UPSTREAM);
    assertIdle(replica);
  }

  // ---------------------------------------------------------------- threading

  @Test
  void deliversEventsOnTheClocksContextWhenSubmittedFromAnotherThread() throws Exception {
    Replica replica = replica("ok");
    Recording recording = new Recording(harness.context);

    recording.submission = replica.submit(request("req-off-context"), recording); // the test thread
    TokenEvent.Finish finish = recording.awaitFinish();

    assertThat(finish.reason()).isEqualTo(FinishReason.STOP);
    assertThat(recording.tokens()).hasSize(3);
    recording.assertWellFormed(); // includes: every event arrived on the clock's context
    assertIdle(replica);
  }
}
