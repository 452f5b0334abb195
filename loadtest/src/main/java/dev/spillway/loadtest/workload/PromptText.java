package dev.spillway.loadtest.workload;

import dev.spillway.backends.emulator.TextGenerator;

/**
 * Deterministic English-like prompt text of a given length in tokens. It is built from the emulator's
 * single-token pieces (common words with a leading space, {@code .} and {@code ,}), none of which merge
 * with their neighbours, so the cl100k (and o200k) token count of the text is the length asked for.
 * Chat framing adds the server's few tokens per message on top.
 *
 * <p>Prompts of the same prefix group begin with the same text: the group's own stream of pieces, the
 * first {@code prefixTokens} of it. Two prompts of one group therefore share the first
 * {@code min(prefixTokens₁, prefixTokens₂)} tokens whatever their lengths, which is what a prefix cache
 * or a prefix-affinity router sees. The rest comes from {@code seed} and differs between requests.
 */
public final class PromptText {

  private static final long PREFIX_SEED = 0x5EEDF1C5L;

  private PromptText() {}

  /** A prompt of {@code tokens} tokens; in a prefix group (≥ 0) the first half is the group's prefix. */
  public static String of(int tokens, int prefixGroup, long seed) {
    return of(tokens, prefixGroup < 0 ? 0 : tokens / 2, prefixGroup, seed);
  }

  /**
   * A prompt of {@code tokens} tokens whose first {@code min(prefixTokens, tokens)} are the prefix of
   * {@code prefixGroup}; with a negative group there is no prefix.
   */
  public static String of(int tokens, int prefixTokens, int prefixGroup, long seed) {
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 1)");
    }
    int shared = prefixGroup < 0 ? 0 : Math.max(0, Math.min(prefixTokens, tokens));
    StringBuilder text = new StringBuilder(tokens * 6);
    if (shared > 0) {
      TextGenerator.Stream prefix = TextGenerator.stream(Sampling.mix(PREFIX_SEED, prefixGroup));
      for (int i = 0; i < shared; i++) {
        text.append(prefix.next());
      }
    }
    TextGenerator.Stream own = TextGenerator.stream(seed);
    if (shared > 0) {
      own.next(); // the sentence starter has no leading space; the next piece is a spaced word
    }
    for (int i = shared; i < tokens; i++) {
      text.append(own.next());
    }
    return text.toString();
  }

  /** A per-request seed from a run's seed and the request's index. */
  public static long seedFor(long runSeed, long index) {
    return Sampling.mix(runSeed ^ 0x7E47L, index);
  }
}
