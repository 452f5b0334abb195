package dev.spillway.backends.wire;

import dev.spillway.backends.spi.TokenEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole answer collected from its tokens: its text content and its tool calls, each call's
 * arguments joined from their fragments. Written as the members of a chat message, for the
 * non-streaming bodies of both OpenAI-compatible servers.
 *
 * <p>Not thread-safe: one per response, used on the response's thread.
 */
public final class Answer {

  private final StringBuilder content;
  private List<Call> calls = List.of();

  /** @param capacity the characters of content to make room for */
  public Answer(int capacity) {
    this.content = new StringBuilder(capacity);
  }

  /** One tool call: which function, and its arguments so far. */
  public record Call(TokenEvent.ToolCall call, StringBuilder arguments) {}

  public void add(TokenEvent.Token token) {
    TokenEvent.ToolCall call = token.call();
    if (call == null) {
      content.append(token.text());
      return;
    }
    if (calls.isEmpty()) {
      calls = new ArrayList<>(2);
    }
    Call last = calls.isEmpty() ? null : calls.get(calls.size() - 1);
    if (last == null || last.call() != call) {
      last = null;
      for (Call c : calls) {
        if (c.call().index() == call.index()) {
          last = c;
        }
      }
      if (last == null) {
        last = new Call(call, new StringBuilder(64));
        calls.add(last);
      }
    }
    last.arguments().append(token.text());
  }

  /** Forgets everything collected: the attempt it came from failed, and another starts. */
  public void clear() {
    content.setLength(0);
    calls = List.of();
  }

  public String content() {
    return content.toString();
  }

  public List<Call> calls() {
    return calls;
  }

  /**
   * Appends {@code "content":…} and, when there are calls, {@code ,"tool_calls":[…]}; content is
   * {@code null} for an answer of calls only, as OpenAI writes it.
   */
  public StringBuilder appendMessageMembers(StringBuilder json) {
    json.append("\"content\":");
    if (!calls.isEmpty() && content.length() == 0) {
      json.append("null");
    } else {
      JsonText.string(json, content.toString());
    }
    if (calls.isEmpty()) {
      return json;
    }
    json.append(",\"tool_calls\":[");
    for (int i = 0; i < calls.size(); i++) {
      Call c = calls.get(i);
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"id\":");
      JsonText.string(json, c.call().id());
      json.append(",\"type\":\"function\",\"function\":{\"name\":");
      JsonText.string(json, c.call().name());
      json.append(",\"arguments\":");
      JsonText.string(json, c.arguments().toString());
      json.append("}}");
    }
    return json.append(']');
  }

  /**
   * The {@code delta} of a chat chunk for one token of a tool call: the call's index, and with its
   * first fragment ({@code first}) its id, type and name, as the OpenAI SDKs reassemble them.
   */
  public static StringBuilder toolCallDelta(StringBuilder json, TokenEvent.Token token, boolean first) {
    TokenEvent.ToolCall call = token.call();
    json.append("{\"tool_calls\":[{\"index\":").append(call.index());
    if (first) {
      json.append(",\"id\":");
      JsonText.string(json, call.id());
      json.append(",\"type\":\"function\",\"function\":{\"name\":");
      JsonText.string(json, call.name());
      json.append(",\"arguments\":");
    } else {
      json.append(",\"function\":{\"arguments\":");
    }
    JsonText.string(json, token.text());
    return json.append("}}]}");
  }
}
