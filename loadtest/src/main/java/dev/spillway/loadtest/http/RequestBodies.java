package dev.spillway.loadtest.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.loadtest.workload.PlannedRequest;
import dev.spillway.loadtest.workload.PromptText;
import dev.spillway.loadtest.workload.WorkloadOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The HTTP request for a planned request: an OpenAI body with the prompt text, {@code max_tokens} and
 * {@code ignore_eos: true} (so the output is exactly as long as planned on servers that honour it),
 * {@code stream} with {@code stream_options.include_usage}, and {@code service_tier} when not default;
 * the tenant in {@code x-spillway-tenant} when one was chosen.
 */
final class RequestBodies {

  static final String TENANT_HEADER = "x-spillway-tenant";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DriverOptions options;
  private final long seed;

  RequestBodies(DriverOptions options, long seed) {
    this.options = options;
    this.seed = seed;
  }

  Buffer body(PlannedRequest request) {
    String prompt =
        PromptText.of(
            request.promptTokens(),
            options.prefixTokens() < 0 ? request.promptTokens() / 2 : options.prefixTokens(),
            request.prefixGroup(),
            PromptText.seedFor(seed, request.index()));
    ObjectNode body = JSON.createObjectNode();
    body.put("model", request.model());
    if (options.endpoint() == Endpoint.CHAT) {
      ObjectNode message = body.putArray("messages").addObject();
      message.put("role", "user");
      message.put("content", prompt);
    } else {
      body.put("prompt", prompt);
    }
    body.put("max_tokens", request.outputTokens());
    body.put("ignore_eos", true);
    body.put("stream", request.stream());
    if (request.stream()) {
      body.putObject("stream_options").put("include_usage", true);
    }
    if (request.tier() != ServiceTier.DEFAULT) {
      body.put("service_tier", request.tier().wireName());
    }
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(body));
    } catch (Exception e) {
      throw new IllegalStateException("cannot encode a request body", e);
    }
  }

  /** {@code GET /models}, the run's preflight; gives up after {@code timeoutMs} idle. */
  RequestOptions modelsRequest(long timeoutMs) {
    String base = options.baseUrl().toString().replaceAll("/+$", "");
    RequestOptions http =
        new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(base + "/models").setIdleTimeout(timeoutMs);
    if (options.apiKey() != null) {
      http.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + options.apiKey());
    }
    return http;
  }

  RequestOptions requestOptions(PlannedRequest request) {
    RequestOptions http =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(options.endpointUrl())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.ACCEPT, request.stream() ? "text/event-stream" : "application/json")
            .putHeader("x-request-id", "loadtest-" + seed + "-" + request.index());
    if (options.apiKey() != null) {
      http.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + options.apiKey());
    }
    if (!request.tenant().equals(WorkloadOptions.DEFAULT_TENANT)) {
      http.putHeader(TENANT_HEADER, request.tenant());
    }
    return http;
  }
}
