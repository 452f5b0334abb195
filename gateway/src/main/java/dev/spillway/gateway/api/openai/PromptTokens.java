package dev.spillway.gateway.api.openai;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * Prompt token counts with the cl100k_base BPE vocabulary (jtokkit). The registry and encoding are
 * created once and are thread-safe. The registry is jtokkit's lazy one: the default registry loads
 * every vocabulary (o200k_base among them) up front, about two seconds, where cl100k_base alone
 * takes a third of one; {@link #warmUp} loads it before the server listens. Text is encoded as ordinary text: a prompt that spells out
 * {@code <|endoftext|>} counts its characters, as OpenAI's servers do, instead of failing.
 */
final class PromptTokens {

  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  /** Tokens of each chat role name, counted once. */
  private static final int SYSTEM = count("system");
  private static final int DEVELOPER = count("developer");
  private static final int USER = count("user");
  private static final int ASSISTANT = count("assistant");
  private static final int TOOL = count("tool");

  /** The OpenAI cookbook's chat framing: every message, and the reply's priming. */
  static final int PER_MESSAGE = 3;
  static final int PER_NAME = 1;
  static final int REPLY_PRIMING = 3;

  private PromptTokens() {}

  /** Loads the vocabulary, which takes a few hundred milliseconds: call it off the event loop. */
  static void warmUp() {
    CL100K.countTokensOrdinary("warm up");
  }

  /**
   * Tokens of a chat role name: the fixed roles from their counts made when this class loaded its
   * vocabulary, anything else counted as text.
   */
  static int countRole(String role) {
    switch (role) {
      case "system":
        return SYSTEM;
      case "developer":
        return DEVELOPER;
      case "user":
        return USER;
      case "assistant":
        return ASSISTANT;
      case "tool":
        return TOOL;
      default:
        return count(role);
    }
  }

  static int count(String text) {
    return text.isEmpty() ? 0 : CL100K.countTokensOrdinary(text);
  }

  /** The text of token ids, or the empty string when an id is outside the vocabulary. */
  static String decode(int[] tokens) {
    IntArrayList list = new IntArrayList(tokens.length);
    for (int token : tokens) {
      list.add(token);
    }
    try {
      return CL100K.decode(list);
    } catch (RuntimeException e) {
      return "";
    }
  }
}
