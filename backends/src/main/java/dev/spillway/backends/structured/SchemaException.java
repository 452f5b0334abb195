package dev.spillway.backends.structured;

/**
 * A schema the emulated models cannot honour: a keyword outside the supported subset, a constraint
 * no value meets, or (when strict) a rule of strict mode broken. The message names the place, in the
 * form {@code "field: value (expected: …)"}.
 */
public final class SchemaException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String field;

  SchemaException(String field, String message) {
    super(message, null, false, false);
    this.field = field;
  }

  /** Where in the request the problem is, e.g. {@code response_format.json_schema.schema.properties.a}. */
  public String field() {
    return field;
  }
}
