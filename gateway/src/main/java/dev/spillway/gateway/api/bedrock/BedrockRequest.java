package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.core.Gateway.ModelInfo;
import dev.spillway.gateway.core.GatewayRequest;
import java.util.Optional;

/**
 * One parsed and validated Bedrock request: the core request, and what the response writer needs
 * that the core does not carry.
 *
 * @param core the request for the core; its {@code model} is the resolved model's name
 * @param model the resolved model
 * @param modelId the id as the client sent it, taken apart
 * @param serviceTier the service tier the client asked for, as sent ({@code priority},
 *     {@code default}, {@code flex}, {@code reserved}), echoed in the answer; empty when none
 * @param latency {@code performanceConfig.latency} as sent ({@code standard}, {@code optimized}),
 *     echoed in the answer; empty when none
 */
public record BedrockRequest(
    BedrockOperation operation,
    GatewayRequest core,
    ModelInfo model,
    BedrockModelId modelId,
    Optional<String> serviceTier,
    Optional<String> latency) {

  public BedrockRequest {
    requireNonNull(operation, "operation");
    requireNonNull(core, "core");
    requireNonNull(model, "model");
    requireNonNull(modelId, "modelId");
    requireNonNull(serviceTier, "serviceTier");
    requireNonNull(latency, "latency");
  }

  /** The same request with another core request (its identity set after authentication). */
  public BedrockRequest withCore(GatewayRequest newCore) {
    return new BedrockRequest(operation, newCore, model, modelId, serviceTier, latency);
  }
}
