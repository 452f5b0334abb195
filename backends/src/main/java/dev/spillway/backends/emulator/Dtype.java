package dev.spillway.backends.emulator;

import java.util.Locale;

/** A numeric format for weights, KV cache or compute. */
public enum Dtype {
  BF16(2.0),
  FP16(2.0),
  FP8(1.0),
  INT8(1.0),
  FP4(0.5);

  private final double bytes;

  Dtype(double bytes) {
    this.bytes = bytes;
  }

  public double bytes() {
    return bytes;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Dtype parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "dtype: " + value + " (expected: bf16, fp16, fp8, int8 or fp4)", e);
    }
  }
}
