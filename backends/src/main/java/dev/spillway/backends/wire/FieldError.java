package dev.spillway.backends.wire;

/**
 * A client's field the wire readers refuse; each server answers it with a 400 in its own shape.
 *
 * @see OutputFields
 */
public final class FieldError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String param;
  private final String code;

  /**
   * @param param the field, as OpenAI's {@code error.param} names it
   * @param code OpenAI's {@code error.code}, e.g. {@code invalid_value}
   * @param message in the form {@code "field: value (expected: …)"}
   */
  public FieldError(String param, String code, String message) {
    super(message, null, false, false);
    this.param = param;
    this.code = code;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }
}
