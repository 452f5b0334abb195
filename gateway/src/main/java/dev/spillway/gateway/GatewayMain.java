package dev.spillway.gateway;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -jar spillway-gateway.jar [--config FILE] [--profiles FILE] [--port N] [--host H]}.
 * Without {@code --config} the gateway runs its embedded default: in-process emulated pools.
 */
public final class GatewayMain {

  private GatewayMain() {}

  public static void main(String[] args) {
    Path configFile = null;
    Path profilesFile = null;
    String host = null;
    Integer port = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      switch (flag) {
        case "--config":
          configFile = Path.of(value(args, ++i, flag, "a YAML file"));
          break;
        case "--profiles":
          profilesFile = Path.of(value(args, ++i, flag, "a YAML file"));
          break;
        case "--host":
          host = value(args, ++i, flag, "an address to bind");
          break;
        case "--port":
          String text = value(args, ++i, flag, "0 to 65535");
          try {
            port = Integer.parseInt(text);
          } catch (NumberFormatException e) {
            port = -1;
          }
          if (port < 0 || port > 65535) {
            fail(flag + ": " + text + " (expected: 0 to 65535)");
          }
          break;
        case "--help":
        case "-h":
          System.out.println(
              "usage: spillway-gateway [--config FILE] [--profiles FILE] [--port N] [--host H]\n"
                  + "  --config    gateway configuration (default: the embedded in-process fleet)\n"
                  + "  --profiles  accelerator/model profiles laid over the built-in ones\n"
                  + "  --port      port to listen on (default 8080; 0 picks a free one)\n"
                  + "  --host      address to bind (default 127.0.0.1)");
          return;
        default:
          fail("unknown option: " + flag + " (expected: --config, --profiles, --port, --host)");
      }
    }
    GatewayConfig config;
    Profiles profiles;
    try {
      ConfigLoader loader = ConfigLoader.withSystemEnvironment();
      if (configFile != null && !Files.isReadable(configFile)) {
        fail("--config: " + configFile + " (expected: a readable YAML file)");
      }
      config = configFile == null ? loader.loadDefault() : loader.load(configFile);
      if (host != null || port != null) {
        config =
            config.withServer(
                config.server().withAddress(
                    host != null ? host : config.server().host(),
                    port != null ? port : config.server().port()));
      }
      profiles = profilesFile == null ? Profiles.builtIn() : Profiles.withOverrides(profilesFile);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      fail("spillway gateway: " + e.getMessage());
      return;
    }
    // As many event loops as the gateway serves on: each loop's contexts then share one thread.
    // Native epoll where it loads (Linux x86-64): cheaper wake-ups between loops than NIO's.
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(config.server().eventLoops())
                .setPreferNativeTransport(true));
    GatewayConfig running = config;
    GatewayApp.start(vertx, config, profiles)
        .onSuccess(
            app -> {
              System.out.println(
                  "spillway gateway: " + running.models().size() + " models at http://"
                      + running.server().host() + ":" + app.port() + "/v1 on "
                      + running.server().eventLoops() + " event loops");
              app.core()
                  .pools()
                  .thenAccept(
                      pools ->
                          pools.forEach(
                              p ->
                                  System.out.println(
                                      "  " + p.pool() + ": " + p.replicas().size() + " x "
                                          + p.description())));
            })
        .onFailure(
            e -> {
              System.err.println("spillway gateway: cannot start: " + e.getMessage());
              vertx.close();
              System.exit(1);
            });
  }

  private static String value(String[] args, int i, String flag, String expected) {
    if (i >= args.length) {
      fail(flag + ": missing (expected: " + expected + ")");
    }
    return args[i];
  }

  private static void fail(String message) {
    System.err.println(message);
    System.exit(2);
  }
}
