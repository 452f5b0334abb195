package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.backends.spi.FinishReason;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.TokenEvent;
import dev.spillway.backends.structured.RandomSchemas;
import dev.spillway.backends.structured.SchemaValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputPlanTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WEATHER =
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
          + "\"unit\":{\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\",\"unit\"]}";
  private static final String BOOKS =
      "{\"type\":\"object\",\"properties\":{\"author\":{\"type\":\"string\"}},\"required\":[\"author\"]}";
  private static final List<OutputSpec.Tool> TOOLS =
      List.of(new OutputSpec.Tool("weather", WEATHER), new OutputSpec.Tool("books", BOOKS));

  private static OutputSpec tools(OutputSpec.ToolChoice choice, boolean parallel, boolean answering) {
    return new OutputSpec(OutputSpec.Format.TEXT, "", TOOLS, choice, parallel, answering, "");
  }

  /** Each call's arguments, by call, in order; "" collects the content. */
  private static Map<TokenEvent.ToolCall, String> drain(OutputPlan plan, int max) {
    Map<TokenEvent.ToolCall, String> out = new LinkedHashMap<>();
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < max && !plan.exhausted(); i++) {
      String piece = plan.next();
      if (plan.call() == null) {
        content.append(piece);
      } else {
        out.merge(plan.call(), piece, String::concat);
      }
    }
    if (content.length() > 0) {
      out.put(null, content.toString());
    }
    return out;
  }

  @Test
  void callsTheNamedFunctionOnceWithArgumentsForItsSchema() throws Exception {
    OutputPlan plan = OutputPlan.of(tools(OutputSpec.ToolChoice.named("books"), true, false), 3, 0, true);

    Map<TokenEvent.ToolCall, String> calls = drain(plan, 10_000);

    assertThat(plan.exhausted()).isTrue();
    assertThat(plan.end()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(calls).hasSize(1);
    TokenEvent.ToolCall call = calls.keySet().iterator().next();
    assertThat(call.name()).isEqualTo("books");
    assertThat(call.index()).isZero();
    assertThat(call.id()).matches("call_[A-Za-z0-9]{24}");
    assertThat(JSON.readTree(calls.get(call)).path("author").isTextual()).isTrue();
  }

  @Test
  void callsOneToolOrMoreWhenRequiredAndExactlyOneWithoutParallelCalls() {
    int parallel = 0;
    for (long seed = 0; seed < 200; seed++) {
      Map<TokenEvent.ToolCall, String> one =
          drain(OutputPlan.of(tools(OutputSpec.ToolChoice.REQUIRED, false, false), seed, 0, true), 10_000);
      assertThat(one).hasSize(1).doesNotContainKey(null);
      Map<TokenEvent.ToolCall, String> some =
          drain(OutputPlan.of(tools(OutputSpec.ToolChoice.REQUIRED, true, false), seed, 0, true), 10_000);
      assertThat(some.size()).isBetween(1, 3);
      List<Integer> indexes = new ArrayList<>();
      some.keySet().forEach(c -> indexes.add(c.index()));
      assertThat(indexes).isSorted().doesNotHaveDuplicates().startsWith(0);
      parallel += some.size() > 1 ? 1 : 0;
    }
    assertThat(parallel).isBetween(20, 90);
  }

  @Test
  void underAutoCallsAtTheConfiguredRateButAnswersToolResultsWithText() {
    int calls = 0;
    for (long seed = 0; seed < 1000; seed++) {
      OutputPlan plan = OutputPlan.of(tools(OutputSpec.ToolChoice.AUTO, true, false), seed, 0.3, true);
      calls += plan.end() == FinishReason.TOOL_CALLS ? 1 : 0;
      OutputPlan answering = OutputPlan.of(tools(OutputSpec.ToolChoice.AUTO, true, true), seed, 0.3, true);
      assertThat(answering.exhausted()).isFalse();
      answering.next();
      assertThat(answering.call()).isNull();
    }
    assertThat(calls).isBetween(250, 350);
    assertThat(OutputPlan.of(tools(OutputSpec.ToolChoice.AUTO, true, false), 5, 0, true).end())
        .isEqualTo(FinishReason.STOP);
    assertThat(OutputPlan.of(tools(OutputSpec.ToolChoice.AUTO, true, false), 5, 1, true).end())
        .isEqualTo(FinishReason.TOOL_CALLS);
  }

  @Test
  void theSameSeedPlansTheSameAnswer() {
    OutputSpec spec = tools(OutputSpec.ToolChoice.AUTO, true, false);
    for (long seed = 0; seed < 20; seed++) {
      Map<TokenEvent.ToolCall, String> a = drain(OutputPlan.of(spec, seed, 0.5, true), 200);
      Map<TokenEvent.ToolCall, String> b = drain(OutputPlan.of(spec, seed, 0.5, true), 200);
      assertThat(a).isEqualTo(b);
    }
  }

  @Test
  void answersJsonModeWithAnObjectAndAJsonSchemaWithAnInstanceThenStops() throws Exception {
    OutputSpec object =
        new OutputSpec(OutputSpec.Format.JSON_OBJECT, "", List.of(), OutputSpec.ToolChoice.NONE, true, false, "");
    OutputPlan plan = OutputPlan.of(object, 9, 0.5, true);
    JsonNode parsed = JSON.readTree(drain(plan, 10_000).get(null));
    assertThat(parsed.isObject()).isTrue();
    assertThat(plan.end()).isEqualTo(FinishReason.STOP);

    OutputSpec schema =
        new OutputSpec(OutputSpec.Format.JSON_SCHEMA, WEATHER, List.of(), OutputSpec.ToolChoice.NONE, true, false, "");
    JsonNode instance = JSON.readTree(drain(OutputPlan.of(schema, 9, 0.5, true), 10_000).get(null));
    assertThat(SchemaValidator.errors(JSON.readTree(WEATHER), instance)).isEmpty();
  }

  /** Property: the arguments of calls to tools with 200 random parameter schemas validate. */
  @Test
  void argumentsForRandomSchemasValidate() throws Exception {
    for (long seed = 0; seed < 200; seed++) {
      JsonNode schema = RandomSchemas.of(seed, seed % 3 == 0);
      OutputSpec spec =
          new OutputSpec(
              OutputSpec.Format.TEXT, "", List.of(new OutputSpec.Tool("f", schema.toString())),
              OutputSpec.ToolChoice.REQUIRED, true, false, "");
      for (String arguments : drain(OutputPlan.of(spec, seed, 0, true), 100_000).values()) {
        assertThat(SchemaValidator.errors(schema, JSON.readTree(arguments)))
            .as("%s against %s", arguments, schema).isEmpty();
      }
    }
  }
}
