package dev.spillway.gateway.http;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.tenancy.Decision;
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

  /** OpenAI's types for the two windowed limits. */
  static final String TOKENS = "tokens";

  static final String INSUFFICIENT_QUOTA = "insufficient_quota";

  /**
   * A denial as OpenAI words it: a window's 429 {@code rate_limit_exceeded} with when to retry; a
   * spent budget's 429 {@code insufficient_quota}, type and code alike, which no retry within the
   * period fixes (so without retry headers; {@link HttpErrors} marks it {@code x-should-retry: false});
   * the shared store out of reach with the gateway failing closed, 503.
   */
  static OpenAiError denied(Decision decision) {
    switch (decision.denied().orElseThrow()) {
      case REQUESTS:
        return new OpenAiError(
            429, OpenAiError.REQUESTS, decision.message(), null, "rate_limit_exceeded",
            Optional.of(decision.retryAfter()));
      case TOKENS:
        return new OpenAiError(
            429, TOKENS, decision.message(), null, "rate_limit_exceeded", Optional.of(decision.retryAfter()));
      case BUDGET:
        return new OpenAiError(
            429, INSUFFICIENT_QUOTA, decision.message(), null, INSUFFICIENT_QUOTA, Optional.empty());
      case STORE:
      default:
        return new OpenAiError(
            503, OpenAiError.SERVER_ERROR, decision.message(), null, "service_unavailable",
            Optional.of(decision.retryAfter()));
    }
  }

  /** A tenant's key on {@code /admin/*}. */
  static OpenAiError notAnOperator(String keyId) {
    return new OpenAiError(
        403, OpenAiError.INVALID_REQUEST,
        "key " + keyId + ": a tenant's key (expected: an admin key for /admin/*)",
        null, "permission_denied", Optional.empty());
  }
}
