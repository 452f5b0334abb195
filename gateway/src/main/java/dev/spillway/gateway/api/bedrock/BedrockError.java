package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.wire.JsonText;
import dev.spillway.gateway.api.openai.OpenAiError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An answer in Bedrock's error shape: the exception's name in {@code x-amzn-ErrorType}, which the AWS
 * SDKs read the error code from, and {@code {"message":…}} as the body, with the status Bedrock's
 * service model gives that exception. Inside an event stream, after the 200, the same error is an
 * exception frame ({@link #frame}).
 *
 * <p>The gateway's answers are made once, in OpenAI's shape, by the core's error mapping and by
 * tenancy; {@link #from(OpenAiError)} translates each of them, so every limit, budget and overload
 * answer an OpenAI caller gets has its Bedrock twin with the same message. Thrown by the parser for
 * control flow only, so it carries no stack trace.
 */
public final class BedrockError extends RuntimeException {

  public static final String VALIDATION = "ValidationException";
  public static final String ACCESS_DENIED = "AccessDeniedException";
  public static final String NOT_FOUND = "ResourceNotFoundException";
  public static final String THROTTLING = "ThrottlingException";
  public static final String QUOTA_EXCEEDED = "ServiceQuotaExceededException";
  public static final String MODEL_TIMEOUT = "ModelTimeoutException";
  public static final String MODEL_ERROR = "ModelErrorException";
  public static final String MODEL_STREAM_ERROR = "ModelStreamErrorException";
  public static final String INTERNAL = "InternalServerException";
  public static final String UNAVAILABLE = "ServiceUnavailableException";
  /** Not in Bedrock's model: AWS's front end answers these for authentication. */
  public static final String INVALID_SIGNATURE = "InvalidSignatureException";
  public static final String UNRECOGNIZED_CLIENT = "UnrecognizedClientException";
  public static final String MISSING_TOKEN = "MissingAuthenticationTokenException";
  public static final String UNKNOWN_OPERATION = "UnknownOperationException";

  /** The exceptions a ConverseStream or InvokeModelWithResponseStream event stream may carry. */
  private static final List<String> STREAM_EXCEPTIONS =
      List.of(VALIDATION, THROTTLING, MODEL_TIMEOUT, UNAVAILABLE, INTERNAL, MODEL_STREAM_ERROR);

  private final int status;
  private final String type;
  private final Optional<Duration> retryAfter;

  public BedrockError(int status, String type, String message, Optional<Duration> retryAfter) {
    super(requireNonNull(message, "message"), null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 400 to 599)");
    }
    this.status = status;
    this.type = requireNonNull(type, "type");
    this.retryAfter = requireNonNull(retryAfter, "retryAfter");
  }

  /** A 400 {@code ValidationException}. */
  public static BedrockError validation(String message) {
    return new BedrockError(400, VALIDATION, message, Optional.empty());
  }

  /** A 404 {@code ResourceNotFoundException}. */
  public static BedrockError notFound(String message) {
    return new BedrockError(404, NOT_FOUND, message, Optional.empty());
  }

  /** A 403 of AWS's authentication front end ({@link #INVALID_SIGNATURE} and its kin). */
  public static BedrockError forbidden(String type, String message) {
    return new BedrockError(403, type, message, Optional.empty());
  }

  /**
   * The Bedrock twin of an answer the gateway gives in OpenAI's shape: by status, and for a 429 by
   * code (a spent budget is Bedrock's {@code ServiceQuotaExceededException}, which no retry fixes).
   */
  public static BedrockError from(OpenAiError error) {
    String message = error.getMessage();
    Optional<Duration> retry = error.retryAfter();
    switch (error.status()) {
      case 400:
      case 413:
      case 422:
        return new BedrockError(400, VALIDATION, message, Optional.empty());
      case 401:
        return new BedrockError(403, UNRECOGNIZED_CLIENT, message, Optional.empty());
      case 403:
        return new BedrockError(403, ACCESS_DENIED, message, Optional.empty());
      case 404:
        return new BedrockError(404, NOT_FOUND, message, Optional.empty());
      case 408:
      case 504:
        return new BedrockError(408, MODEL_TIMEOUT, message, Optional.empty());
      case 429:
        return "insufficient_quota".equals(error.code())
            ? new BedrockError(400, QUOTA_EXCEEDED, message, Optional.empty())
            : new BedrockError(429, THROTTLING, message, retry);
      case 502:
        return new BedrockError(424, MODEL_ERROR, message, Optional.empty());
      case 503:
        return new BedrockError(503, UNAVAILABLE, message, retry);
      default:
        return error.status() < 500
            ? new BedrockError(400, VALIDATION, message, Optional.empty())
            : new BedrockError(500, INTERNAL, message, Optional.empty());
    }
  }

  public int status() {
    return status;
  }

  /** The exception's name: what {@code x-amzn-ErrorType} carries. */
  public String type() {
    return type;
  }

  /** When to try again, for 429 and 503 (the AWS SDKs back off on their own and ignore it). */
  public Optional<Duration> retryAfter() {
    return retryAfter;
  }

  /** {@code {"message":…}}. */
  public String toJson() {
    StringBuilder json = new StringBuilder(16 + getMessage().length());
    json.append("{\"message\":");
    JsonText.string(json, getMessage());
    return json.append('}').toString();
  }

  /**
   * The error as an exception frame of an event stream: {@code :message-type exception}, the
   * exception's member name in {@code :exception-type} (lower camel case, as the stream's union names
   * it), and the JSON body. An error the stream's union has no member for is a
   * {@code modelStreamErrorException}.
   */
  public EventStreamMessage frame() {
    String member = STREAM_EXCEPTIONS.contains(type) ? type : MODEL_STREAM_ERROR;
    member = Character.toLowerCase(member.charAt(0)) + member.substring(1);
    return new EventStreamMessage(
        List.of(
            EventStreamMessage.Header.string(":message-type", "exception"),
            EventStreamMessage.Header.string(":exception-type", member),
            EventStreamMessage.Header.string(":content-type", "application/json")),
        toJson().getBytes(StandardCharsets.UTF_8));
  }
}
