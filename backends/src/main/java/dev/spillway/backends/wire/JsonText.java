package dev.spillway.backends.wire;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

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
   * {@code value} with three decimals, as {@code %.3f} writes it: the shortest decimal of the double,
   * rounded half up ({@code 12.345}). Rounded in the text itself, without a formatter or a BigDecimal
   * for the values a latency takes; zero, negative and non-finite values go to the formatter, which
   * keeps the sign of {@code -0.0}.
   */
  public static String threeDecimals(double value) {
    if (!Double.isFinite(value) || value <= 0) {
      return String.format(Locale.ROOT, "%.3f", value);
    }
    String shortest = Double.toString(value);
    int dot = shortest.indexOf('.');
    if (shortest.indexOf('E') >= 0 || dot < 0) {
      return new BigDecimal(shortest).setScale(3, RoundingMode.HALF_UP).toPlainString();
    }
    int decimals = shortest.length() - dot - 1;
    if (decimals <= 3) {
      return decimals == 3 ? shortest : shortest + "000".substring(decimals);
    }
    char[] digits = shortest.substring(0, dot + 4).toCharArray();
    if (shortest.charAt(dot + 4) < '5') {
      return new String(digits);
    }
    int i = digits.length - 1;
    for (; i >= 0; i--) {
      if (digits[i] == '.') {
        continue;
      }
      if (digits[i] != '9') {
        digits[i]++;
        break;
      }
      digits[i] = '0';
    }
    return i < 0 ? "1" + new String(digits) : new String(digits);
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
