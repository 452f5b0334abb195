package dev.spillway.backends.spi;

/** Tokens consumed by one request, as OpenAI's {@code usage} object reports them. */
public record Usage(int promptTokens, int completionTokens) {

  public Usage {
    if (promptTokens < 0 || completionTokens < 0) {
      throw new IllegalArgumentException(
          "usage: " + promptTokens + "/" + completionTokens + " (expected: >= 0)");
    }
  }

  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
