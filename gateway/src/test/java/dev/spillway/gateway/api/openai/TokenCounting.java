package dev.spillway.gateway.api.openai;

/** Test-side access to the parser's token counting, for the benchmarks in {@code gateway.bench}. */
public final class TokenCounting {

  private TokenCounting() {}

  /** {@link PromptTokens#count}: cl100k_base tokens of ordinary text. */
  public static int count(String text) {
    return PromptTokens.count(text);
  }
}
