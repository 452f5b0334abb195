package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.emulator.Profiles;
import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import io.vertx.core.Vertx;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An open gateway listens on loopback only; keys let it listen anywhere. */
class LoopbackRuleTest {

  private static final String MODELS =
      "models:\n  - name: llama-3.1-8b\n    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8}]\n";

  @Test
  void anOpenGatewayRefusesToListenOnAllAddressesAndSaysWhy() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      GatewayConfig config =
          new ConfigLoader(n -> null).parse("server: {host: 0.0.0.0, port: 0, eventLoops: 1}\n" + MODELS, "test");
      ExecutionException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> GatewayApp.start(vertx, config, Profiles.builtIn()).toCompletionStage()
                  .toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertThat(failure.getCause())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("server.host: 0.0.0.0 (expected: a loopback address")
          .hasMessageContaining("no tenants are configured");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGatewayWithKeysListensOnAllAddresses() throws Exception {
    try (KeyedGateway gateway =
        new KeyedGateway(
            "server: {host: 0.0.0.0, port: 0, eventLoops: 1}\n" + MODELS
                + "tenants: [{name: t, keys: [{id: k, sha256: sha(s3cret)}]}]\n")) {
      assertThat(gateway.chat("llama-3.1-8b", 1, "authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anOpenGatewayOnLoopbackServesWithoutAKey() throws Exception {
    try (KeyedGateway gateway = new KeyedGateway("server: {host: localhost, port: 0, eventLoops: 1}\n" + MODELS)) {
      assertThat(gateway.chat("llama-3.1-8b", 1).statusCode()).isEqualTo(200);
    }
  }
}
