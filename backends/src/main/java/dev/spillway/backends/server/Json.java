package dev.spillway.backends.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/** Appends JSON values to text being built by hand: the hot path writes one chunk per token. */
final class Json {

  private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

  private Json() {}

  /** Appends {@code value} as a quoted, escaped JSON string, or {@code null}. */
  static StringBuilder string(StringBuilder out, String value) {
    if (value == null) {
      return out.append("null");
    }
    out.append('"');
    ENCODER.quoteAsString(value, out);
    return out.append('"');
  }

  /** {@code value} as a quoted, escaped JSON string. */
  static String quote(String value) {
    return string(new StringBuilder(value.length() + 8), value).toString();
  }
}
