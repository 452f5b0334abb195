package dev.spillway.gateway.api.openai;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.spi.Usage;
import dev.spillway.backends.wire.Answer;
import dev.spillway.backends.wire.JsonText;

/**
 * The typed SSE events of one streamed Responses API answer: each {@code event: TYPE} and
 * {@code data: JSON} with the same {@code type} and a {@code sequence_number} counting from 0.
 *
 * <p>Order: {@code response.created} and {@code response.in_progress} with the first token; for the
 * message, {@code response.output_item.added}, {@code response.content_part.added}, one
 * {@code response.output_text.delta} per token, then {@code response.output_text.done},
 * {@code response.content_part.done} and {@code response.output_item.done}; for each function call,
 * {@code response.output_item.added}, one {@code response.function_call_arguments.delta} per token,
 * {@code response.function_call_arguments.done} and {@code response.output_item.done}; last
 * {@code response.completed} (or {@code response.incomplete} when {@code max_output_tokens} cut the
 * answer) with the whole response and its usage, and the gateway's facts in a top-level
 * {@code "spillway"} member. No {@code [DONE]}: the body ends.
 *
 * <p>Not thread-safe: one instance per response, used on the response's thread.
 */
final class ResponseEvents implements AnswerStream {

  private final String id;
  private final long created;
  private final OpenAiRequest request;
  private final Answer answer;
  private int sequence;
  private int outputIndex = -1;
  /** The item open now: the message (-1), a call's index, or none (-2). */
  private int open = -2;
  private Answer.Call openCall;
  private int textStart;

  ResponseEvents(String id, long created, OpenAiRequest request) {
    this.id = requireNonNull(id, "id");
    this.created = created;
    this.request = requireNonNull(request, "request");
    this.answer = new Answer(256);
  }

  @Override
  public String start() {
    StringBuilder s = new StringBuilder(2048);
    for (String type : new String[] {"response.created", "response.in_progress"}) {
      head(s, type).append(",\"response\":");
      ResponseObjects.response(s, id, created, request, null, FinishReason.STOP, null);
      end(s);
    }
    return s.toString();
  }

  @Override
  public String token(TokenEvent.Token token) {
    StringBuilder s = new StringBuilder(256 + token.text().length());
    TokenEvent.ToolCall call = token.call();
    answer.add(token);
    if (call == null) {
      if (open != -1) {
        close(s);
        open = -1;
        outputIndex++;
        textStart = answer.content().length() - token.text().length();
        head(s, "response.output_item.added").append(",\"output_index\":").append(outputIndex)
            .append(",\"item\":");
        ResponseObjects.message(s, id, null, "in_progress");
        end(s);
        head(s, "response.content_part.added");
        item(s, ResponseObjects.messageId(id)).append(",\"content_index\":0,\"part\":");
        ResponseObjects.outputText(s, "");
        end(s);
      }
      head(s, "response.output_text.delta");
      item(s, ResponseObjects.messageId(id)).append(",\"content_index\":0,\"delta\":");
      JsonText.string(s, token.text()).append(",\"logprobs\":[]");
      return end(s).toString();
    }
    if (open != call.index()) {
      close(s);
      open = call.index();
      openCall = answer.calls().get(answer.calls().size() - 1);
      outputIndex++;
      head(s, "response.output_item.added").append(",\"output_index\":").append(outputIndex)
          .append(",\"item\":");
      ResponseObjects.functionCall(s, id, openCall, "", "in_progress");
      end(s);
    }
    head(s, "response.function_call_arguments.delta");
    item(s, ResponseObjects.callItemId(id, call.index())).append(",\"delta\":");
    JsonText.string(s, token.text());
    return end(s).toString();
  }

  @Override
  public String end(FinishReason reason, Usage usage, SpillwayFacts facts) {
    requireNonNull(reason, "reason");
    requireNonNull(usage, "usage");
    requireNonNull(facts, "facts");
    StringBuilder s = new StringBuilder(2048);
    close(s);
    String type = reason == FinishReason.LENGTH ? "response.incomplete" : "response.completed";
    head(s, type).append(",\"response\":");
    ResponseObjects.response(s, id, created, request, answer, reason, usage).append(',');
    facts.appendField(s);
    return end(s).toString();
  }

  @Override
  public String error(OpenAiError error) {
    StringBuilder s = new StringBuilder(256);
    head(s, "error").append(",\"code\":");
    JsonText.string(s, error.code() == null ? error.type() : error.code());
    s.append(",\"message\":");
    JsonText.string(s, error.getMessage());
    s.append(",\"param\":");
    JsonText.string(s, error.param());
    return end(s).toString();
  }

  /** Ends the item open now, if any, with its done events. */
  private void close(StringBuilder s) {
    if (open == -1) {
      String text = answer.content().substring(textStart);
      head(s, "response.output_text.done");
      item(s, ResponseObjects.messageId(id)).append(",\"content_index\":0,\"text\":");
      JsonText.string(s, text).append(",\"logprobs\":[]");
      end(s);
      head(s, "response.content_part.done");
      item(s, ResponseObjects.messageId(id)).append(",\"content_index\":0,\"part\":");
      ResponseObjects.outputText(s, text);
      end(s);
      head(s, "response.output_item.done").append(",\"output_index\":").append(outputIndex)
          .append(",\"item\":");
      ResponseObjects.message(s, id, text, "completed");
      end(s);
    } else if (open >= 0) {
      String arguments = openCall.arguments().toString();
      head(s, "response.function_call_arguments.done");
      item(s, ResponseObjects.callItemId(id, open)).append(",\"name\":");
      JsonText.string(s, openCall.call().name()).append(",\"arguments\":");
      JsonText.string(s, arguments);
      end(s);
      head(s, "response.output_item.done").append(",\"output_index\":").append(outputIndex)
          .append(",\"item\":");
      ResponseObjects.functionCall(s, id, openCall, arguments, "completed");
      end(s);
    }
    open = -2;
  }

  private StringBuilder head(StringBuilder s, String type) {
    return s.append("event: ").append(type).append("\ndata: {\"type\":\"").append(type)
        .append("\",\"sequence_number\":").append(sequence++);
  }

  private StringBuilder item(StringBuilder s, String itemId) {
    s.append(",\"item_id\":");
    JsonText.string(s, itemId);
    return s.append(",\"output_index\":").append(outputIndex);
  }

  private static StringBuilder end(StringBuilder s) {
    return s.append("}\n\n");
  }
}
