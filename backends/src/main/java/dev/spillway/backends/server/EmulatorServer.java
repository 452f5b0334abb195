package dev.spillway.backends.server;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.spi.Backend;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One emulated pool served over HTTP in real time as an OpenAI-compatible server:
 * {@code POST /v1/chat/completions} (streaming or not), {@code GET /v1/models}, {@code GET /health}
 * and {@code GET /metrics} (vLLM's metric names). Every response carries an {@code x-request-id}.
 *
 * <p>The replicas and the HTTP handlers share one Vert.x context (see {@link EmulatorVerticle}), so
 * token timing is the engine's, give or take a millisecond of timer lateness.
 */
public final class EmulatorServer {

  private final Vertx vertx;
  private final String deploymentId;
  private final EmulatorVerticle verticle;
  private final ServeOptions options;
  private Future<Void> closing;

  private EmulatorServer(
      Vertx vertx, String deploymentId, EmulatorVerticle verticle, ServeOptions options) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.verticle = verticle;
    this.options = options;
  }

  /**
   * Creates the pool and listens. Fails with an {@link IllegalArgumentException} for an unknown
   * accelerator, model, stack or a placement that does not fit, and with the bind error when the port
   * is taken.
   */
  public static Future<EmulatorServer> start(Vertx vertx, ServeOptions options) {
    requireNonNull(vertx, "vertx");
    requireNonNull(options, "options");
    // Loading profiles reads files: off the event loop.
    return vertx
        .executeBlocking(
            () -> options.profiles() == null ? Profiles.builtIn() : Profiles.withOverrides(options.profiles()))
        .compose(
            profiles -> {
              EmulatorVerticle verticle = new EmulatorVerticle(options, profiles);
              return vertx
                  .deployVerticle(verticle)
                  .map(id -> new EmulatorServer(vertx, id, verticle, options));
            });
  }

  /** The port listened on, the chosen one when started with port 0. */
  public int port() {
    return verticle.port();
  }

  public String host() {
    return options.host();
  }

  /** The base URL of the OpenAI API, e.g. {@code http://127.0.0.1:8000/v1}. */
  public String baseUrl() {
    String host = options.host().indexOf(':') >= 0 ? "[" + options.host() + "]" : options.host();
    return "http://" + host + ":" + port() + "/v1";
  }

  /** The pool served; its replicas may only be used on the server's context. */
  public Backend backend() {
    return verticle.backend();
  }

  /** Stops listening, closing open connections (their requests are cancelled). Idempotent. */
  public synchronized Future<Void> close() {
    if (closing == null) {
      closing = vertx.undeploy(deploymentId);
    }
    return closing;
  }
}
