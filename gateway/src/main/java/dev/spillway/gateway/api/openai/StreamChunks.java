package dev.spillway.gateway.api.openai;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.Answer;
import dev.spillway.backends.wire.JsonText;
import java.nio.charset.StandardCharsets;

/**
 * The SSE events of one streamed chat or text completion, byte for byte as OpenAI sends them: each
 * event is {@code data: } + compact JSON + {@code \n\n}; no {@code event:} lines, no comments; every
 * chunk has the same {@code id}, {@code created} and {@code model}.
 *
 * <p>Order: for chat, a role chunk ({@code delta: {role: "assistant", content: ""}}) goes out with the
 * first token, never before it (vLLM's bench times the first chunk); then one chunk per token; then a
 * finish chunk with an empty delta; then, only with {@code include_usage}, a usage chunk with
 * {@code "choices":[]} (LLMPerf indexes {@code choices[0]} of every chunk, so an empty one without
 * being asked for fails it); then {@code data: [DONE]}. A token of a tool call is a
 * {@code delta.tool_calls} fragment: the call's index, with its id, type and name on its first. The last chunk before {@code [DONE]} (the
 * usage chunk, else the finish chunk) carries a top-level {@code "spillway"} object with the facts a
 * plain response sends as headers. With {@code include_usage} every other chunk has
 * {@code "usage":null}; with vLLM's {@code continuous_usage_stats} too, every chunk has the running
 * usage instead.
 *
 * <p>Implementation notes. A token's chunk is the same text around the token's on every chunk of a
 * stream without running usage, so both sides are made once, with the string's quotes, as text and as
 * UTF-8: a token that needs no escaping (most do not) costs one concatenation, which allocates only
 * the chunk itself, or, written to an {@link EventSink}, the two fixed sides and the token's text,
 * with no chunk built at all.
 *
 * <p>Not thread-safe: one instance per response, used on the response's thread.
 */
public final class StreamChunks implements AnswerStream {

  public static final String DONE = "data: [DONE]\n\n";

  private final boolean chat;
  private final boolean includeUsage;
  private final boolean continuousUsage;
  private final int promptTokens;
  /** {@code data: {"id":…,"object":…,"created":…,"model":…,"choices":[}. */
  private final String prefix;
  /** A token chunk up to the token's text, opening quote included. */
  private final String tokenHead;
  /** A token chunk after the token's text, closing quote included; null with running usage. */
  private final String tokenTail;
  /** {@link #tokenHead} and {@link #tokenTail} as UTF-8; the tail null with running usage. */
  private final byte[] tokenHeadBytes;
  private final byte[] tokenTailBytes;
  private int completionTokens;
  /** The index of the tool call streamed last, -1 before any. */
  private int lastCall = -1;

  public StreamChunks(String id, long created, OpenAiRequest request) {
    requireNonNull(id, "id");
    requireNonNull(request, "request");
    if (request.endpoint() == Endpoint.EMBEDDINGS) {
      throw new IllegalArgumentException("request: embeddings (expected: a chat or text completion)");
    }
    this.chat = request.endpoint() == Endpoint.CHAT_COMPLETIONS;
    this.includeUsage = request.includeUsage();
    this.continuousUsage = request.continuousUsage();
    this.promptTokens = request.core().promptTokens();
    StringBuilder p = new StringBuilder(128);
    p.append("data: {\"id\":");
    JsonText.string(p, id);
    p.append(",\"object\":\"").append(chat ? "chat.completion.chunk" : "text_completion")
        .append("\",\"created\":").append(created).append(",\"model\":");
    JsonText.string(p, request.core().model());
    p.append(",\"choices\":[");
    this.prefix = p.toString();
    this.tokenHead = prefix + (chat ? "{\"index\":0,\"delta\":{\"content\":\"" : "{\"text\":\"");
    this.tokenTail =
        continuousUsage
            ? null
            : (chat
                    ? "\"},\"logprobs\":null,\"finish_reason\":null}]"
                    : "\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]")
                + (includeUsage ? ",\"usage\":null" : "")
                + "}\n\n";
    this.tokenHeadBytes = tokenHead.getBytes(StandardCharsets.UTF_8);
    this.tokenTailBytes = tokenTail == null ? null : tokenTail.getBytes(StandardCharsets.UTF_8);
  }

  /** What precedes the first content: the role chunk for chat, nothing for text completions. */
  @Override
  public String start() {
    if (!chat) {
      return "";
    }
    StringBuilder s = new StringBuilder(prefix.length() + 160);
    s.append(prefix)
        .append("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,")
        .append("\"finish_reason\":null}");
    return close(s).toString();
  }

  /**
   * The chunk of one generated token: content, or a fragment of a tool call's arguments (with the
   * call's id and name on its first), as the OpenAI SDKs reassemble them.
   */
  @Override
  public String token(TokenEvent.Token token) {
    if (token.call() == null) {
      return token(token.text());
    }
    completionTokens++;
    boolean first = token.call().index() != lastCall;
    lastCall = token.call().index();
    StringBuilder s = new StringBuilder(prefix.length() + 200 + token.text().length());
    s.append(prefix).append("{\"index\":0,\"delta\":");
    Answer.toolCallDelta(s, token, first);
    s.append(",\"logprobs\":null,\"finish_reason\":null}");
    return close(s).toString();
  }

  /**
   * Appends the chunk of one generated token to {@code out}; a token of plain content goes as the
   * chunk's fixed sides around its text, with no chunk built.
   */
  @Override
  public void token(TokenEvent.Token token, EventSink out) {
    String text = token.text();
    if (token.call() == null && tokenTailBytes != null && plain(text)) {
      completionTokens++;
      out.bytes(tokenHeadBytes);
      out.text(text);
      out.bytes(tokenTailBytes);
    } else {
      out.text(token(token));
    }
  }

  /** The chunk of one generated token of content. */
  public String token(String text) {
    completionTokens++;
    if (tokenTail != null) {
      if (plain(text)) {
        return tokenHead + text + tokenTail;
      }
      // Head and tail without their quotes, which JsonText.string writes around the escaped text.
      StringBuilder s = new StringBuilder(tokenHead.length() + tokenTail.length() + text.length() + 16);
      s.append(tokenHead, 0, tokenHead.length() - 1);
      JsonText.string(s, text);
      return s.append(tokenTail, 1, tokenTail.length()).toString();
    }
    StringBuilder s = new StringBuilder(prefix.length() + 160 + text.length());
    s.append(prefix);
    if (chat) {
      s.append("{\"index\":0,\"delta\":{\"content\":");
      JsonText.string(s, text);
      s.append("},\"logprobs\":null,\"finish_reason\":null}");
    } else {
      s.append("{\"text\":");
      JsonText.string(s, text);
      s.append(",\"index\":0,\"logprobs\":null,\"finish_reason\":null}");
    }
    return close(s).toString();
  }

  /** The finish chunk, the usage chunk if asked for, and {@code [DONE]}. */
  @Override
  public String end(FinishReason reason, Usage usage, SpillwayFacts facts) {
    requireNonNull(reason, "reason");
    requireNonNull(usage, "usage");
    requireNonNull(facts, "facts");
    StringBuilder s = new StringBuilder(2 * prefix.length() + 400);
    s.append(prefix);
    if (chat) {
      s.append("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":");
    } else {
      s.append("{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":");
    }
    JsonText.string(s, OpenAiResponses.finishReason(reason)).append("}]");
    if (!includeUsage) {
      s.append(',');
      facts.appendField(s);
      s.append("}\n\n");
    } else {
      s.append(",\"usage\":");
      if (continuousUsage) {
        OpenAiResponses.usage(s, usage);
      } else {
        s.append("null");
      }
      s.append("}\n\n").append(prefix).append("],\"usage\":");
      OpenAiResponses.usage(s, usage).append(',');
      facts.appendField(s);
      s.append("}\n\n");
    }
    return s.append(DONE).toString();
  }

  @Override
  public String error(OpenAiError error) {
    return "data: " + error.toJson() + "\n\n";
  }

  /**
   * True when {@code text} is its own JSON string content: no character JSON requires escaped (a
   * quote, a backslash, a control character below U+0020), which is exactly what
   * {@link JsonText#string} escapes.
   */
  static boolean plain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Ends the choices array, adds the usage field if any, and ends the event. */
  private StringBuilder close(StringBuilder s) {
    s.append(']');
    if (continuousUsage) {
      s.append(",\"usage\":");
      OpenAiResponses.usage(s, promptTokens, completionTokens);
    } else if (includeUsage) {
      s.append(",\"usage\":null");
    }
    return s.append("}\n\n");
  }
}
