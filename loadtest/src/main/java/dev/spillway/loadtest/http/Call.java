package dev.spillway.loadtest.http;

import dev.spillway.loadtest.metrics.RequestRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;

/** One request the driver sends and waits for; it reports exactly one record when it ends. */
interface Call {

  /** Sends the request now; {@code sentNanos} is relative to the run's start. */
  void start(HttpClient client, RequestOptions options, Buffer body, long sentNanos, long timeoutNanos);

  /** What happened, once the call has ended. */
  RequestRecord record();

  /** A description of the failure, when there was one. */
  String errorMessage();
}
