package dev.spillway.loadtest.http;

import dev.spillway.loadtest.workload.Workload;
import dev.spillway.loadtest.workload.WorkloadOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** Runs a workload against a test server on a Vert.x instance of its own. */
final class Runs {

  private Runs() {}

  static RunResult run(WorkloadOptions workload, DriverOptions options) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return LoadDriver.run(vertx, Workload.of(workload), options, null)
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static DriverOptions against(ScriptedServer server) {
    return DriverOptions.of(URI.create(server.baseUrl()));
  }
}
