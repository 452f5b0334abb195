package dev.spillway.gateway.http;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.api.openai.OpenAiError;
import java.util.Optional;

/**
 * Tenancy's answers in OpenAI's error shape: 401 {@code invalid_api_key}, 403 for a model or tier the
 * tenant may not use. Messages name the key by its id at most, never by its secret.
 */
final class TenancyErrors {

  private TenancyErrors() {}

  /** No key, or one the gateway does not know. */
  static OpenAiError invalidApiKey(boolean presented) {
    return new OpenAiError(
        401, OpenAiError.INVALID_REQUEST,
        presented
            ? "Incorrect API key provided (expected: a key configured for a tenant)."
            : "You didn't provide an API key (expected: Authorization: Bearer <key> or x-api-key: <key>).",
        null, "invalid_api_key", Optional.empty());
  }

  /** As OpenAI answers a project without access to a model. */
  static OpenAiError modelNotAllowed(String tenant, String model) {
    return new OpenAiError(
        403, OpenAiError.INVALID_REQUEST,
        "Tenant `" + tenant + "` does not have access to model `" + model + "`.",
        "model", "model_not_found", Optional.empty());
  }

  static OpenAiError tierNotAllowed(String tenant, ServiceTier tier) {
    return new OpenAiError(
        403, OpenAiError.INVALID_REQUEST,
        "service_tier: " + tier.wireName() + " (expected: a tier tenant `" + tenant + "` may use)",
        "service_tier", "permission_denied", Optional.empty());
  }

  /** A tenant's key on {@code /admin/*}. */
  static OpenAiError notAnOperator(String keyId) {
    return new OpenAiError(
        403, OpenAiError.INVALID_REQUEST,
        "key " + keyId + ": a tenant's key (expected: an admin key for /admin/*)",
        null, "permission_denied", Optional.empty());
  }
}
