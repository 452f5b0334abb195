package dev.spillway.backends.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.structured.InstanceGenerator;
import dev.spillway.backends.structured.TokenPieces;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What an emulated model answers one request with, one token at a time: free text (endless, until the
 * output budget or a stop sequence ends it), one JSON value, or calls to the request's tools with
 * arguments generated from their schemas. Planned at submission from the request's {@link OutputSpec}
 * and a seed, so the same seed gives the same answer; the engine paces the pieces like any others.
 *
 * <p>Tool calls: made when {@code tool_choice} is {@code required} or names a function; under
 * {@code auto} with probability {@code toolCallRate}, unless the conversation ends with tool results
 * (those are answered with text). With parallel calls allowed, one call in four is joined by a
 * second, and one of those in four by a third. A planned answer (JSON or calls) is split into its
 * cl100k tokens ({@link TokenPieces}), so the count is exact; it ends by itself, with
 * {@link FinishReason#STOP} or {@link FinishReason#TOOL_CALLS}.
 *
 * <p>Not thread-safe: one per sequence, used on its engine's thread.
 */
final class OutputPlan {

  /** Under {@code tool_choice: auto}, how often an emulated model calls a tool when none is set. */
  static final double DEFAULT_TOOL_CALL_RATE = 0.5;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String ID_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** Free text that nobody reads: endless empty tokens. It keeps no state: one serves every sequence. */
  private static final OutputPlan UNREAD =
      new OutputPlan(null, null, null, FinishReason.STOP);

  /** Endless text, or null when the answer is planned or unread. */
  private final TextGenerator.Stream text;
  private final List<String> pieces;
  private final List<TokenEvent.ToolCall> calls;
  private final FinishReason end;
  private int next;
  private TokenEvent.ToolCall call;

  private OutputPlan(
      TextGenerator.Stream text, List<String> pieces, List<TokenEvent.ToolCall> calls,
      FinishReason end) {
    this.text = text;
    this.pieces = pieces;
    this.calls = calls;
    this.end = end;
  }

  /** Free text only, as for a request that asks for nothing else. */
  static OutputPlan text(long seed) {
    return new OutputPlan(TextGenerator.stream(seed), null, null, FinishReason.STOP);
  }

  /** @param textRead false when nobody reads free text: its tokens are then empty */
  static OutputPlan of(OutputSpec spec, long seed, double toolCallRate, boolean textRead) {
    if (spec.format() == OutputSpec.Format.TEXT && !spec.mayCallTools()) {
      return textRead ? text(seed) : UNREAD;
    }
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x5DEECE66DL);
    List<OutputSpec.Tool> chosen = tools(spec, random, toolCallRate);
    if (!chosen.isEmpty()) {
      List<String> pieces = new ArrayList<>();
      List<TokenEvent.ToolCall> calls = new ArrayList<>();
      for (int i = 0; i < chosen.size(); i++) {
        OutputSpec.Tool tool = chosen.get(i);
        TokenEvent.ToolCall call = new TokenEvent.ToolCall(i, callId(random), tool.name());
        for (String piece : TokenPieces.split(instance(tool.parameters(), random))) {
          pieces.add(piece);
          calls.add(call);
        }
      }
      return new OutputPlan(null, pieces, calls, FinishReason.TOOL_CALLS);
    }
    switch (spec.format()) {
      case JSON_OBJECT:
        return planned(InstanceGenerator.anyObject(random));
      case JSON_SCHEMA:
        return planned(instance(spec.schema(), random));
      case TEXT:
      default:
        return text(seed);
    }
  }

  private static OutputPlan planned(String json) {
    return new OutputPlan(null, TokenPieces.split(json), null, FinishReason.STOP);
  }

  /** The functions the answer calls, in order; empty for an answer in text. */
  private static List<OutputSpec.Tool> tools(
      OutputSpec spec, SplittableRandom random, double toolCallRate) {
    List<OutputSpec.Tool> tools = spec.tools();
    switch (spec.toolChoice().mode()) {
      case NAMED:
        for (OutputSpec.Tool tool : tools) {
          if (tool.name().equals(spec.toolChoice().function())) {
            return List.of(tool);
          }
        }
        return List.of();
      case AUTO:
        // Drawn even when answering tool results, so that the rest of the plan does not depend on it.
        boolean calls = random.nextDouble() < toolCallRate;
        if (!calls || spec.answersToolResults()) {
          return List.of();
        }
        break;
      case REQUIRED:
        break;
      case NONE:
      default:
        return List.of();
    }
    List<OutputSpec.Tool> chosen = new ArrayList<>(3);
    chosen.add(tools.get(random.nextInt(tools.size())));
    while (spec.parallelToolCalls() && chosen.size() < 3 && random.nextInt(4) == 0) {
      chosen.add(tools.get(random.nextInt(tools.size())));
    }
    return chosen;
  }

  private static String instance(String schema, SplittableRandom random) {
    JsonNode parsed;
    try {
      parsed = MAPPER.readTree(schema);
    } catch (IOException e) {
      throw new IllegalArgumentException("schema: not JSON (expected: a schema checked by the front end)", e);
    }
    try {
      return InstanceGenerator.generate(parsed, random);
    } catch (IllegalArgumentException e) {
      // The front end's check drew instances of this schema; an answer must not fail where it did not.
      return "{}";
    }
  }

  private static String callId(SplittableRandom random) {
    StringBuilder id = new StringBuilder("call_");
    for (int i = 0; i < 24; i++) {
      id.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
    }
    return id.toString();
  }

  /** The next token's text; call only while {@link #exhausted()} is false. */
  String next() {
    if (text != null) {
      return text.next();
    }
    if (pieces == null) {
      return "";
    }
    call = calls == null ? null : calls.get(next);
    return pieces.get(next++);
  }

  /** The tool call the last token belongs to; null for content. */
  TokenEvent.ToolCall call() {
    return call;
  }

  /** True once a planned answer has no more tokens; never for free text. */
  boolean exhausted() {
    return pieces != null && next >= pieces.size();
  }

  /** How the answer ends when it runs out by itself. */
  FinishReason end() {
    return end;
  }
}
