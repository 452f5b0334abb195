package dev.spillway.gateway;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.http.GatewayTransport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar spillway-gateway.jar [--config FILE] [--profiles FILE] [--port N] [--host H] [--check]}.
 * Without {@code --config} the gateway runs its embedded default: in-process emulated pools. With
 * {@code --check} it validates the configuration ({@link ConfigCheck}) and exits: 0 and a summary
 * when the gateway would start with it, 1 and the reason when not.
 */
public final class GatewayMain {

  private GatewayMain() {}

  public static void main(String[] args) {
    Path configFile = null;
    Path profilesFile = null;
    String host = null;
    Integer port = null;
    boolean check = false;
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
        case "--check":
          check = true;
          break;
        case "--help":
        case "-h":
          System.out.println(
              "usage: spillway-gateway [--config FILE] [--profiles FILE] [--port N] [--host H] [--check]\n"
                  + "  --config    gateway configuration (default: the embedded in-process fleet)\n"
                  + "  --profiles  accelerator/model profiles laid over the built-in ones\n"
                  + "  --port      port to listen on (default 8080; 0 picks a free one)\n"
                  + "  --host      address to bind (default 127.0.0.1)\n"
                  + "  --check     validate the configuration and exit: 0 if the gateway would start\n"
                  + "              with it, 1 with the reason if not; reaches no backend or Redis");
          return;
        default:
          fail("unknown option: " + flag + " (expected: --config, --profiles, --port, --host, --check)");
      }
    }
    if (check) {
      System.exit(check(configFile, profilesFile));
      return;
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
        Vertx.builder()
            .with(new VertxOptions().setEventLoopPoolSize(config.server().eventLoops()))
            .withTransport(GatewayTransport.preferNative())
            .build();
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
              stopGracefullyOnExit(vertx, app, running.server().drainTimeout());
            })
        .onFailure(
            e -> {
              System.err.println("spillway gateway: cannot start: " + e.getMessage());
              vertx.close();
              System.exit(1);
            });
  }

  /**
   * On SIGTERM or SIGINT (or any other orderly exit of the JVM): drains the gateway for up to
   * {@code drainTimeout}, closes it and its ledger, and exits with status 0 — the stop was asked for
   * and done — rather than the JVM's 128 + signal.
   */
  private static void stopGracefullyOnExit(Vertx vertx, GatewayApp app, Duration drainTimeout) {
    Thread hook =
        new Thread(
            () -> {
              long start = System.nanoTime();
              System.out.println(
                  "spillway gateway: shutting down: draining " + app.inFlight() + " requests (up to "
                      + drainTimeout.toMillis() / 1000.0 + " s)");
              try {
                GatewayApp.Drained drained =
                    app.shutdown()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(
                            drainTimeout.plus(GatewayApp.CANCEL_GRACE).toMillis() + 10_000,
                            TimeUnit.MILLISECONDS);
                System.out.printf(
                    Locale.ROOT, "spillway gateway: closed after %.1f s (%d requests finished, %d cancelled)%n",
                    (System.nanoTime() - start) / 1e9, drained.inFlight() - drained.cancelled(),
                    drained.cancelled());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException | TimeoutException e) {
                System.err.println("spillway gateway: shutdown incomplete: " + e);
              }
              try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException | TimeoutException e) {
                System.err.println("spillway gateway: event loops not closed: " + e);
              }
              System.out.flush();
            },
            "spillway-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    exitNormallyOn("TERM", "INT");
  }

  /**
   * Makes the named signals exit the JVM with status 0 (running its shutdown hooks as they would
   * anyway). Through reflection: {@code sun.misc.Signal} is the JDK's supported way (module
   * jdk.unsupported), but javac warns on every direct use. Where it is missing, the signals keep the
   * JVM's default: the hooks run and the status is 128 + the signal's number.
   */
  private static void exitNormallyOn(String... names) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, args) -> {
                switch (method.getName()) {
                  case "handle":
                    System.exit(0);
                    return null;
                  case "hashCode":
                    return System.identityHashCode(proxy);
                  case "equals":
                    return proxy == args[0];
                  default:
                    return "exit 0";
                }
              });
      Method handle = signal.getMethod("handle", signal, handlerType);
      for (String name : names) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("spillway gateway: signals keep the JVM's exit status (" + e + ")");
    }
  }

  /** {@code --check}: the exit status, after printing the summary or the reason. */
  static int check(Path configFile, Path profilesFile) {
    if (configFile == null) {
      System.err.println("--config: missing (expected: the YAML file to check)");
      return 2;
    }
    try {
      System.out.println(
          "spillway gateway: " + new ConfigCheck(System::getenv).check(configFile, profilesFile));
      return 0;
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("spillway gateway: " + configFile + ": " + e.getMessage());
      return 1;
    }
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
