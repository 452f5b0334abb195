package dev.spillway.gateway.http;

import dev.spillway.gateway.api.openai.Endpoint;
import java.util.SplittableRandom;

/**
 * Request and response ids. A client's {@code x-request-id} is echoed when it is 1 to 256 printable
 * ASCII characters (vLLM's bench sets one per request); otherwise the gateway makes
 * {@code req_} + 32 hex digits. Confined to the server's thread.
 */
final class RequestIds {

  static final int MAX_CLIENT_ID_LENGTH = 256;
  private static final char[] ALPHANUMERIC =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final SplittableRandom random;

  RequestIds(SplittableRandom random) {
    this.random = random;
  }

  String requestId(String fromClient) {
    if (fromClient != null && acceptable(fromClient)) {
      return fromClient;
    }
    return "req_" + String.format("%016x%016x", random.nextLong(), random.nextLong());
  }

  /** A response id in OpenAI's shape: {@code chatcmpl-} or {@code cmpl-} and 29 alphanumerics. */
  String responseId(Endpoint endpoint) {
    StringBuilder id = new StringBuilder(endpoint.idPrefix().length() + 29).append(endpoint.idPrefix());
    for (int i = 0; i < 29; i++) {
      id.append(ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)]);
    }
    return id.toString();
  }

  private static boolean acceptable(String id) {
    if (id.isEmpty() || id.length() > MAX_CLIENT_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
