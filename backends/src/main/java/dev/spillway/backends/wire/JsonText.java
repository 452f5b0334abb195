package dev.spillway.backends.wire;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.math.BigDecimal;

/**
 * Appends JSON values to text built by hand, for the OpenAI-compatible servers (the emulator's and the
 * gateway's): a stream writes one chunk per token, so the hot path builds its text without a tree.
 */
public final class JsonText {

  private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

  private JsonText() {}

  /** Appends {@code value} as a quoted, escaped JSON string, or {@code null}. */
  public static StringBuilder string(StringBuilder out, String value) {
    if (value == null) {
      return out.append("null");
    }
    out.append('"');
    ENCODER.quoteAsString(value, out);
    return out.append('"');
  }

  /** {@code value} as a quoted, escaped JSON string. */
  public static String quote(String value) {
    return string(new StringBuilder(value.length() + 8), value).toString();
  }

  /**
   * {@code value} as a plain decimal, never in exponent form ({@code 0.0000012}, not {@code 1.2E-6}),
   * so the same text is a JSON number and a readable header value. Non-finite values are written as 0.
   */
  public static String decimal(double value) {
    if (!Double.isFinite(value)) {
      return "0";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
