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
  private static final int FIVE_DIGITS = 62 * 62 * 62 * 62 * 62;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
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
    char[] id = new char[4 + 32];
    id[0] = 'r';
    id[1] = 'e';
    id[2] = 'q';
    id[3] = '_';
    hex(random.nextLong(), id, 4);
    hex(random.nextLong(), id, 20);
    return new String(id);
  }

  /** The 16 lower-case hex digits of {@code value}, zero-padded, into {@code out} at {@code at}. */
  private static void hex(long value, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xf)];
      value >>>= 4;
    }
  }

  /** A response id in OpenAI's shape: {@code chatcmpl-} or {@code cmpl-} and 29 alphanumerics. */
  String responseId(Endpoint endpoint) {
    StringBuilder id = new StringBuilder(endpoint.idPrefix().length() + 29).append(endpoint.idPrefix());
    // Five uniform base-62 digits per draw from [0, 62^5): six draws, not 29.
    for (int i = 0; i < 29; ) {
      int bits = random.nextInt(FIVE_DIGITS);
      for (int j = 0; j < 5 && i < 29; j++, i++) {
        id.append(ALPHANUMERIC[bits % ALPHANUMERIC.length]);
        bits /= ALPHANUMERIC.length;
      }
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
