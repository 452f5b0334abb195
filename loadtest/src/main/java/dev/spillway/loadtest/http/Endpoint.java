package dev.spillway.loadtest.http;

import java.util.Locale;

/** The OpenAI API a run calls. */
public enum Endpoint {
  /** {@code POST /chat/completions}: one user message. */
  CHAT("/chat/completions"),
  /** {@code POST /completions}: the legacy text completion, a plain prompt. */
  COMPLETIONS("/completions");

  private final String path;

  Endpoint(String path) {
    this.path = path;
  }

  /** The path after the base URL, with its leading slash. */
  public String path() {
    return path;
  }

  /** Parses {@code chat} or {@code completions}. */
  public static Endpoint parse(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "chat":
      case "chat/completions":
      case "chat_completions":
        return CHAT;
      case "completions":
        return COMPLETIONS;
      default:
        throw new IllegalArgumentException("endpoint: " + text + " (expected: chat or completions)");
    }
  }
}
