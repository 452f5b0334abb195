package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.gateway.api.bedrock.BedrockError;
import dev.spillway.gateway.api.openai.OpenAiError;
import dev.spillway.gateway.core.GatewayError;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.eventstream.Message;

/**
 * Every answer the gateway gives OpenAI callers — the core's failures, tenancy's refusals, limits,
 * budgets, shutdown — has its Bedrock twin: Bedrock's exception and status, the same message.
 */
class BedrockErrorMappingTest {

  @ParameterizedTest
  @EnumSource(GatewayError.Kind.class)
  void everyCoreFailureHasABedrockException(GatewayError.Kind kind) {
    BedrockError error =
        BedrockError.from(OpenAiError.from(GatewayError.retryable(kind, "it failed", Duration.ofSeconds(3))));

    assertThat(error.getMessage()).isEqualTo("it failed");
    switch (kind) {
      case INVALID_REQUEST:
      case CONTEXT_LENGTH_EXCEEDED:
        assertThat(error.type()).isEqualTo("ValidationException");
        assertThat(error.status()).isEqualTo(400);
        break;
      case MODEL_NOT_FOUND:
        assertThat(error.type()).isEqualTo("ResourceNotFoundException");
        assertThat(error.status()).isEqualTo(404);
        break;
      case QUEUE_FULL:
        assertThat(error.type()).isEqualTo("ThrottlingException");
        assertThat(error.status()).isEqualTo(429);
        assertThat(error.retryAfter()).hasValue(Duration.ofSeconds(3));
        break;
      case BACKEND:
        assertThat(error.type()).isEqualTo("ModelErrorException");
        assertThat(error.status()).isEqualTo(424);
        break;
      case UNAVAILABLE:
        assertThat(error.type()).isEqualTo("ServiceUnavailableException");
        assertThat(error.status()).isEqualTo(503);
        break;
      case TIMEOUT:
      default:
        assertThat(error.type()).isEqualTo("ModelTimeoutException");
        assertThat(error.status()).isEqualTo(408);
        break;
    }
  }

  @Test
  void tenancysRefusalsLimitsAndBudgetsMapByStatusAndCode() {
    assertThat(BedrockError.from(TenancyErrors.invalidApiKey(true)).type()).isEqualTo("UnrecognizedClientException");
    assertThat(BedrockError.from(TenancyErrors.modelNotAllowed("acme", "m")).type()).isEqualTo("AccessDeniedException");
    assertThat(BedrockError.from(TenancyErrors.tierNotAllowed("acme", ServiceTier.PRIORITY)).status()).isEqualTo(403);
    BedrockError rpm =
        BedrockError.from(
            new OpenAiError(429, OpenAiError.REQUESTS, "Rate limit reached", null, "rate_limit_exceeded",
                Optional.of(Duration.ofSeconds(7))));
    assertThat(rpm.type()).isEqualTo("ThrottlingException");
    assertThat(rpm.retryAfter()).hasValue(Duration.ofSeconds(7));
    BedrockError budget =
        BedrockError.from(
            new OpenAiError(429, TenancyErrors.INSUFFICIENT_QUOTA, "budget spent", null,
                TenancyErrors.INSUFFICIENT_QUOTA, Optional.empty()));
    assertThat(budget.type()).isEqualTo("ServiceQuotaExceededException");
    assertThat(budget.status()).isEqualTo(400);
    BedrockError shutdown = BedrockError.from(Exchange.shuttingDown());
    assertThat(shutdown.type()).isEqualTo("ServiceUnavailableException");
    assertThat(shutdown.getMessage()).isEqualTo("request cancelled: the gateway is shutting down");
    assertThat(BedrockError.from(OpenAiError.internal("bug")).type()).isEqualTo("InternalServerException");
  }

  @Test
  void anErrorAfterTheFirstTokenIsAnExceptionFrameTheSdkDecodes() {
    Message throttled =
        Message.decode(ByteBuffer.wrap(new BedrockError(429, "ThrottlingException", "slow down", Optional.empty())
            .frame().encode()));
    assertThat(throttled.getHeaders().get(":message-type").getString()).isEqualTo("exception");
    assertThat(throttled.getHeaders().get(":exception-type").getString()).isEqualTo("throttlingException");
    assertThat(throttled.getHeaders().get(":content-type").getString()).isEqualTo("application/json");
    assertThat(new String(throttled.getPayload(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("{\"message\":\"slow down\"}");

    Message backend =
        Message.decode(ByteBuffer.wrap(new BedrockError(424, "ModelErrorException", "x", Optional.empty()).frame().encode()));
    assertThat(backend.getHeaders().get(":exception-type").getString()).isEqualTo("modelStreamErrorException");
  }
}
