package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Dtype;
import dev.spillway.backends.emulator.Faults;
import dev.spillway.backends.emulator.Profiles;
import dev.spillway.backends.server.EmulatorServer;
import dev.spillway.backends.server.ServeOptions;
import dev.spillway.gateway.GatewayApp;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.config.LedgerConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default install, run: each rendered emulator Deployment's {@code serve} arguments start an
 * emulator on 127.0.0.1, and a gateway started from the rendered ConfigMap — with each Service's DNS
 * name standing for its emulator's loopback address — serves the demo tenant's key across them.
 */
class DemoFleetTest {

  private final Vertx vertx = Vertx.vertx();
  private final List<EmulatorServer> emulators = new ArrayList<>();
  private GatewayApp gateway;

  @AfterEach
  void close() throws Exception {
    if (gateway != null) {
      await(gateway.close());
    }
    for (EmulatorServer emulator : emulators) {
      await(emulator.close());
    }
    await(vertx.close());
  }

  @Test
  void theDemoTenantsKeyIsServedByTheEmulatorPodsTheChartRenders() throws Exception {
    Manifests rendered = ChartRender.render(Map.of("demoKey", "sk-test-demo"));
    String config = rendered.gatewayConfig();
    Set<String> pools = new HashSet<>();
    for (Deployment deployment : rendered.all(Deployment.class)) {
      String name = deployment.getMetadata().getName();
      if (!name.startsWith("spillway-emulator-")) {
        continue;
      }
      EmulatorServer emulator = await(EmulatorServer.start(vertx, options(ChartDefaultsTest.container(deployment).getArgs())));
      emulators.add(emulator);
      String service = "http://" + name + "." + ChartRender.NAMESPACE + ".svc.cluster.local:8000/v1";
      assertThat(config).contains(service);
      config = config.replace(service, emulator.baseUrl());
      pools.add(name.substring("spillway-emulator-".length()));
    }
    GatewayConfig loaded = new ConfigLoader(rendered.secretEnvironment()::get).parse(config, "ConfigMap");
    GatewayConfig local = loaded.withServer(loaded.server().withAddress("127.0.0.1", 0))
        .withLedger(LedgerConfig.disabled());
    gateway = await(GatewayApp.start(vertx, local, Profiles.builtIn()));

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Set<String> served = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> answer = http.send(chat("sk-test-demo"), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body()).contains("\"choices\"");
      served.add(answer.headers().firstValue("x-spillway-pool").orElseThrow());
    }
    HttpResponse<String> stranger = http.send(chat("sk-not-a-key"), HttpResponse.BodyHandlers.ofString());

    assertThat(pools).containsExactlyInAnyOrder("trainium", "inferentia", "cerebras", "h100");
    assertThat(pools).containsAll(served);
    assertThat(stranger.statusCode()).isEqualTo(401);
  }

  private HttpRequest chat(String key) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\": \"llama-3.3-70b\", \"max_tokens\": 4,"
                + " \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}"))
        .build();
  }

  /** {@code serve}'s options from the Deployment's arguments, on 127.0.0.1 and a free port. */
  private static ServeOptions options(List<String> args) {
    assertThat(args.get(0)).isEqualTo("serve");
    String accelerator = null;
    String model = null;
    String stack = null;
    Dtype dtype = null;
    int replicas = 1;
    int tp = 0;
    for (String arg : args.subList(1, args.size())) {
      String[] flag = arg.split("=", 2);
      switch (flag[0]) {
        case "--accelerator" -> accelerator = flag[1];
        case "--model" -> model = flag[1];
        case "--replicas" -> replicas = Integer.parseInt(flag[1]);
        case "--tp" -> tp = Integer.parseInt(flag[1]);
        case "--stack" -> stack = flag[1];
        case "--dtype" -> dtype = Dtype.parse(flag[1]);
        case "--host", "--port" -> { }
        default -> throw new AssertionError("unexpected serve argument " + arg);
      }
    }
    return new ServeOptions(accelerator, model, replicas, "127.0.0.1", 0, stack, tp, dtype, null, Faults.NONE);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
