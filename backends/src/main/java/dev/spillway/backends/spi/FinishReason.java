package dev.spillway.backends.spi;

/** Why generation ended, with the names OpenAI uses on the wire. */
public enum FinishReason {
  /** A stop sequence or the model's end of sequence. */
  STOP("stop"),
  /** {@code maxOutputTokens} reached. */
  LENGTH("length"),
  /** The model ended its answer with calls to the tools the request offered. */
  TOOL_CALLS("tool_calls"),
  /** The caller cancelled; no usage is billed beyond what was generated. */
  CANCELLED("cancelled");

  private final String wireName;

  FinishReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
