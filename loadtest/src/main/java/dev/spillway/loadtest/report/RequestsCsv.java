package dev.spillway.loadtest.report;

import dev.spillway.backends.wire.JsonText;
import dev.spillway.loadtest.metrics.RequestRecord;
import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * {@code requests.csv}: one row per request, warm-up included (flagged), in the order given. Every
 * {@link RequestRecord} field but the token times, then TTFT, TPOT and E2E in milliseconds, then when
 * the gateway bound the request and the TTFT (from binding) and TPOT it predicted then; times are
 * nanoseconds from the start of the run. Empty cells for undefined values (no first token, fewer than
 * two output tokens, no error, no prediction: HTTP runs). RFC 4180 quoting.
 */
public final class RequestsCsv {

  public static final String HEADER =
      "index,model,tenant,tier,prompt_tokens,requested_output_tokens,intended_start_ns,sent_ns,"
          + "first_token_ns,end_ns,output_tokens,error,pool,cost_usd,price_usd,warmup,ttft_ms,tpot_ms,e2e_ms,"
          + "bound_ns,predicted_ttft_ms,predicted_tpot_ms";

  private RequestsCsv() {}

  public static void write(Writer out, List<RequestRecord> records) throws IOException {
    out.write(HEADER);
    out.write('\n');
    StringBuilder row = new StringBuilder(256);
    for (RequestRecord r : records) {
      row.setLength(0);
      out.append(appendRow(row, r));
    }
  }

  /** Appends {@code r}'s row, newline included, to {@code row}; returns it. */
  static StringBuilder appendRow(StringBuilder row, RequestRecord r) {
    row.append(r.index()).append(',');
    cell(row, r.model()).append(',');
    cell(row, r.tenant()).append(',');
    cell(row, r.tier()).append(',');
    row.append(r.promptTokens()).append(',')
        .append(r.requestedOutputTokens()).append(',')
        .append(r.intendedStartNanos()).append(',')
        .append(r.sentNanos()).append(',')
        .append(r.firstTokenNanos()).append(',')
        .append(r.endNanos()).append(',')
        .append(r.outputTokens()).append(',');
    cell(row, r.error() == null ? "" : r.error()).append(',');
    cell(row, r.pool()).append(',');
    row.append(decimal(r.costUsd())).append(',')
        .append(decimal(r.priceUsd())).append(',')
        .append(r.warmup()).append(',');
    boolean hasFirst = r.firstTokenNanos() >= 0;
    if (hasFirst) {
      millis(row, r.ttftNanos());
    }
    row.append(',');
    if (hasFirst && r.outputTokens() > 1) {
      row.append(millis(r.tpotNanos()));
    }
    row.append(',');
    if (r.endNanos() >= 0) {
      millis(row, r.e2eNanos());
    }
    row.append(',');
    if (r.hasPrediction()) {
      row.append(r.boundNanos()).append(',').append(millis(r.predictedTtftNanos())).append(',')
          .append(millis(r.predictedTpotNanos()));
    } else {
      row.append(",,");
    }
    return row.append('\n');
  }

  private static StringBuilder cell(StringBuilder row, String value) {
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return row.append(value);
    }
    return row.append('"').append(value.replace("\"", "\"\"")).append('"');
  }

  /**
   * Whole nanoseconds as milliseconds with three decimals, rounded half up: what {@code %.3f} of
   * {@code nanos / 1e6} prints, without the formatter's cost (a million rows call this twice each).
   */
  static void millis(StringBuilder row, long nanos) {
    if (nanos < 0) {
      if (nanos == Long.MIN_VALUE) {
        row.append(millis((double) nanos));
        return;
      }
      // %.3f rounds half away from zero; "-0.000" stays as the formatter prints it.
      row.append('-');
      nanos = -nanos;
    }
    long micros = nanos / 1_000 + (nanos % 1_000 >= 500 ? 1 : 0);
    long whole = micros / 1_000;
    int fraction = (int) (micros % 1_000);
    row.append(whole).append('.');
    if (fraction < 100) {
      row.append('0');
    }
    if (fraction < 10) {
      row.append('0');
    }
    row.append(fraction);
  }

  /** {@code %.3f} of {@code nanos / 1e6}: the shortest decimal of the double, rounded half up. */
  static String millis(double nanos) {
    return JsonText.threeDecimals(nanos / 1e6);
  }

  /**
   * The shortest decimal that reads back as {@code value}, never in E notation: what
   * {@code new BigDecimal(Double.toString(value)).toPlainString()} prints (trailing zeros included),
   * moving the point in the text instead of building a BigDecimal per cell.
   */
  static String decimal(double value) {
    if (value == 0) {
      return "0";
    }
    String text = Double.toString(value);
    int e = text.indexOf('E');
    if (e < 0 || !Double.isFinite(value)) {
      return text;
    }
    boolean negative = text.charAt(0) == '-';
    String mantissa = text.substring(negative ? 1 : 0, e);
    int exponent = Integer.parseInt(text.substring(e + 1));
    int point = mantissa.indexOf('.');
    String digits = mantissa.substring(0, point) + mantissa.substring(point + 1);
    // digits × 10^-scale, as BigDecimal holds it
    int scale = (mantissa.length() - point - 1) - exponent;
    StringBuilder plain = new StringBuilder(digits.length() + Math.abs(scale) + 3);
    if (negative) {
      plain.append('-');
    }
    if (scale <= 0) {
      plain.append(digits);
      for (int i = 0; i < -scale; i++) {
        plain.append('0');
      }
    } else if (scale >= digits.length()) {
      plain.append("0.");
      for (int i = digits.length(); i < scale; i++) {
        plain.append('0');
      }
      plain.append(digits);
    } else {
      plain.append(digits, 0, digits.length() - scale).append('.').append(digits, digits.length() - scale, digits.length());
    }
    return plain.toString();
  }
}
