package dev.spillway.gateway;

import dev.spillway.backends.server.EmulatorServer;
import dev.spillway.backends.server.ServeOptions;
import io.vertx.core.Vertx;

/**
 * {@code java -jar spillway-gateway.jar [--port N] [--host H]}.
 *
 * <p>The embedded default today is one in-process emulated pool, {@code llama-3.3-70b} on
 * {@code trn2.48xlarge}, served through the OpenAI-compatible emulator front end. Multi-model
 * routing, flow control and batching arrive with the gateway core.
 */
public final class GatewayMain {

  static final int DEFAULT_PORT = 8080;

  private GatewayMain() {}

  public static void main(String[] args) {
    String host = ServeOptions.DEFAULT_HOST;
    int port = DEFAULT_PORT;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port":
          port = parsePort(i + 1 < args.length ? args[++i] : null);
          break;
        case "--host":
          if (i + 1 >= args.length) {
            fail("--host: missing (expected: an address to bind)");
          }
          host = args[++i];
          break;
        case "--help":
        case "-h":
          System.out.println("usage: spillway-gateway [--port N (default 8080)] [--host H (default 127.0.0.1)]");
          return;
        default:
          fail("unknown option: " + args[i] + " (expected: --port, --host)");
      }
    }
    ServeOptions options =
        new ServeOptions("trn2.48xlarge", "llama-3.3-70b", 1, host, port, null, 0, null, null);
    Vertx vertx = Vertx.vertx();
    EmulatorServer.start(vertx, options)
        .onSuccess(
            server ->
                System.out.println(
                    "spillway gateway: serving llama-3.3-70b (" + server.backend().description()
                        + ") at " + server.baseUrl()))
        .onFailure(
            e -> {
              System.err.println("spillway gateway: cannot start: " + e.getMessage());
              vertx.close();
              System.exit(1);
            });
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException | NullPointerException e) {
      fail("--port: " + value + " (expected: 0 to 65535)");
      return -1;
    }
  }

  private static void fail(String message) {
    System.err.println(message);
    System.exit(2);
  }
}
