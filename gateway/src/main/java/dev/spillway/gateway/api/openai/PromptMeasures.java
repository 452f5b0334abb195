package dev.spillway.gateway.api.openai;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The measures of a prompt that every front end takes the same way, so that a prompt costs the same
 * tokens and lands on the same prefix whichever API it came through: BPE token counts (chat framing
 * included) and the prefix hash prefix affinity routes by. The Bedrock API uses these.
 */
public final class PromptMeasures {

  private PromptMeasures() {}

  /** One chat message: its role and its text parts. */
  public record ChatMessage(String role, List<String> texts) {
    public ChatMessage {
      requireNonNull(role, "role");
      texts = List.copyOf(texts);
    }
  }

  /** Tokens of plain text, special-token spellings counted as ordinary text. */
  public static int textTokens(String text) {
    return PromptTokens.count(requireNonNull(text, "text"));
  }

  /** Tokens of a chat, with OpenAI's per-message framing and the reply's priming. */
  public static int chatTokens(List<ChatMessage> messages) {
    return Prompts.chatTokens(toPrompts(messages));
  }

  /** The chat's text, one line break between messages: what upstream backends are sent. */
  public static String chatText(List<ChatMessage> messages) {
    return Prompts.chatText(toPrompts(messages));
  }

  /** The hash of the prompt's first characters that prefix affinity routes by. */
  public static long prefixHash(String prompt) {
    return OpenAiParser.prefixHash(requireNonNull(prompt, "prompt"));
  }

  private static List<Prompts.Message> toPrompts(List<ChatMessage> messages) {
    List<Prompts.Message> out = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      out.add(new Prompts.Message(m.role(), m.texts(), null));
    }
    return out;
  }
}
