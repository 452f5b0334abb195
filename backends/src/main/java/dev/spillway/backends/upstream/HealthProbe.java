package dev.spillway.backends.upstream;

import dev.spillway.backends.spi.Health;
import dev.spillway.backends.time.Clock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.Executor;

/**
 * One upstream replica's active health check ({@link HealthCheck}): a request every interval, the
 * next one scheduled when the last is over, so checks never pile up behind a server that hangs.
 *
 * <p>Threading. Everything runs on the replica's clock: the timers, the requests and their answers,
 * which {@code onClock} brings back there. The health is read by the router on the same clock; it
 * changes only there. The checks have a client and a connection of
 * their own, so they never wait behind the replica's requests.
 */
final class HealthProbe {

  private final String replica;
  private final HealthCheck check;
  private final Clock clock;
  private final Executor onClock;
  private final Vertx vertx;
  private HttpClient client;
  private final RequestOptions request;
  private final Runnable changed;
  private Health health = Health.UP;
  private int failuresInARow;
  private Clock.Timer next;
  private boolean stopped;

  /**
   * @param baseUrl the replica's base URL; the check's path goes after it
   * @param authorization the bearer header's value, or null
   * @param changed told on the clock each time the health changes
   */
  HealthProbe(
      String replica, URI baseUrl, CharSequence authorization, HealthCheck check, Clock clock,
      Executor onClock, Vertx vertx, Runnable changed) {
    this.replica = replica;
    this.check = check;
    this.clock = clock;
    this.onClock = onClock;
    this.vertx = vertx;
    this.changed = changed;
    boolean ssl = "https".equalsIgnoreCase(baseUrl.getScheme());
    String base = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    this.request =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(baseUrl.getHost())
            .setPort(baseUrl.getPort() >= 0 ? baseUrl.getPort() : ssl ? 443 : 80)
            .setSsl(ssl)
            .setURI(base + check.path())
            .setConnectTimeout(check.timeout().toMillis())
            .setIdleTimeout(check.timeout().toMillis())
            .setTimeout(check.timeout().toMillis());
    if (authorization != null) {
      request.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
  }

  /** Checks at once, then every interval; on the clock. */
  void start() {
    onClock.execute(
        () -> {
          client =
              vertx.httpClientBuilder()
                  .with(new HttpClientOptions().setKeepAlive(true))
                  .with(new PoolOptions().setHttp1MaxSize(1))
                  .build();
          probe();
        });
  }

  /** No more checks. */
  void stop() {
    onClock.execute(
        () -> {
          stopped = true;
          if (next != null) {
            next.cancel();
          }
          if (client != null) {
            client.close();
          }
        });
  }

  Health health() {
    return health;
  }

  private void probe() {
    if (stopped) {
      return;
    }
    client
        .request(request)
        .compose(req -> req.send())
        .compose(HealthProbe::drained)
        .onComplete(
            result ->
                onClock.execute(
                    () -> outcome(result.succeeded() && result.result() < 500)));
  }

  /** The status, once the body is read, so the connection can be reused. */
  private static io.vertx.core.Future<Integer> drained(HttpClientResponse response) {
    return response.body().map(body -> response.statusCode());
  }

  private void outcome(boolean up) {
    if (stopped) {
      return;
    }
    Health was = health;
    if (up) {
      failuresInARow = 0;
      health = Health.UP;
    } else if (++failuresInARow >= check.unhealthyAfter()) {
      health = Health.DOWN;
    }
    if (health != was) {
      changed.run();
    }
    next = clock.schedule(clock.nanoTime() + check.interval().toNanos(), this::probe);
  }

  @Override
  public String toString() {
    return "HealthProbe[" + replica + " " + request.getURI() + " " + health + "]";
  }
}
