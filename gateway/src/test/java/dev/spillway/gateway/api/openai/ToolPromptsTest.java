package dev.spillway.gateway.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How requests with tools and formats are read and counted, and what they are refused for. */
class ToolPromptsTest {

  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
  private static final ModelInfo MODEL =
      new ModelInfo("m", List.of(), false, 0, 100_000, 64, 0, List.of("m@x"));
  private static final String WEATHER =
      "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Get the weather.\","
          + "\"parameters\":{\"type\":\"object\",\"properties\":{"
          + "\"city\":{\"type\":\"string\",\"description\":\"The city.\"},"
          + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
          + "\"where\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"}}}},"
          + "\"required\":[\"city\"]}}}";
  private static final String USER = "{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}";

  private static OpenAiRequest parse(Endpoint endpoint, String body) {
    return OpenAiParser.parse(
        endpoint, body.getBytes(StandardCharsets.UTF_8), "req-1", Map.<String, String>of()::get,
        name -> name.equals("m") ? Optional.of(MODEL) : Optional.empty());
  }

  private static OpenAiRequest chat(String messages, String extra) {
    return parse(Endpoint.CHAT_COMPLETIONS, "{\"model\":\"m\",\"messages\":[" + messages + "]" + extra + "}");
  }

  private static int tokens(String text) {
    return CL100K.countTokensOrdinary(text);
  }

  private static void assertRefused(Runnable request, String param, String message) {
    assertThatThrownBy(request::run)
        .isInstanceOfSatisfying(
            OpenAiError.class,
            e -> {
              assertThat(e.status()).isEqualTo(400);
              assertThat(e.param()).isEqualTo(param);
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void countsToolDefinitionsByTheCookbooksRuleAndNestedPropertiesAlike() {
    int plain = chat(USER, "").core().promptTokens();
    int withTools = chat(USER, ",\"tools\":[" + WEATHER + "]").core().promptTokens();

    int expected =
        12 // after the last function
            + 10 + tokens("get_weather:Get the weather")
            + 3 // the function has properties
            + 3 + tokens("city:string:The city")
            + 3 - 3 + 3 + tokens("celsius") + 3 + tokens("fahrenheit") + tokens("unit:string:")
            + 3 + tokens("where:object:")
            + 3 + 3 + tokens("lat:number:"); // nested: its properties by the same rule
    assertThat(withTools - plain).isEqualTo(expected);
  }

  @Test
  void countsToolCallsAndToolResultsInTheConversation() {
    String call =
        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]}";
    String result = "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"21 degrees\"}";

    int before = chat(USER, "").core().promptTokens();
    OpenAiRequest after = chat(USER + "," + call + "," + result, ",\"tools\":[" + WEATHER + "]");
    int tools = chat(USER, ",\"tools\":[" + WEATHER + "]").core().promptTokens() - before;

    int expected =
        3 + tokens("assistant") + 3 + tokens("get_weather") + tokens("{\"city\":\"Oslo\"}")
            + 3 + tokens("tool") + tokens("21 degrees");
    assertThat(after.core().promptTokens() - before - tools).isEqualTo(expected);
    OutputSpec output = after.core().output();
    assertThat(output.answersToolResults()).isTrue();
    assertThat(output.toolChoice()).isEqualTo(OutputSpec.ToolChoice.AUTO);
    assertThat(output.passThrough()).startsWith("\"messages\":[").contains("\"tool_call_id\":\"call_1\"")
        .contains("\"tools\":[");
  }

  @Test
  void countsAResponseSchemaAndAsksForAnInstance() {
    String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
    OpenAiRequest request =
        chat(USER, ",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
            + schema + "}}");

    assertThat(request.core().promptTokens() - chat(USER, "").core().promptTokens())
        .isEqualTo(3 + tokens(schema));
    assertThat(request.core().output().format()).isEqualTo(OutputSpec.Format.JSON_SCHEMA);
    assertThat(request.core().output().schema()).isEqualTo(schema);
    assertThat(chat(USER, "").core().output()).isEqualTo(OutputSpec.TEXT);
  }

  @Test
  void countsAResponsesInputAsTheSameConversationInChat() {
    String chat =
        "{\"role\":\"developer\",\"content\":\"Be brief.\"}," + USER
            + ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"sunny\"}";
    String input =
        "[" + USER + ",{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"get_weather\",\"arguments\":\"{}\"},"
            + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"sunny\"}]";
    String flatTool =
        "{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Get the weather.\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"description\":\"The city.\"},"
            + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
            + "\"where\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"}}}},\"required\":[\"city\"]}}";

    OpenAiRequest responses =
        parse(Endpoint.RESPONSES,
            "{\"model\":\"m\",\"instructions\":\"Be brief.\",\"input\":" + input + ",\"tools\":[" + flatTool + "]}");

    assertThat(responses.core().promptTokens())
        .isEqualTo(chat(chat, ",\"tools\":[" + WEATHER + "]").core().promptTokens());
    assertThat(responses.core().output().answersToolResults()).isTrue();
    assertThat(responses.core().output().passThrough())
        .contains("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\"")
        .contains("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"");
  }

  @Test
  void refusesBadToolsAndFormatsNamingTheField() {
    assertRefused(() -> chat(USER, ",\"tools\":[{\"type\":\"web_search\"}]"), "tools[0].type", "expected: function");
    assertRefused(
        () -> chat(USER, ",\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}"),
        "tool_choice.function.name", "one of the tools offered");
    assertRefused(() -> chat(USER, ",\"tool_choice\":\"required\""), "tool_choice", "set tools");
    assertRefused(() -> chat(USER, ",\"tools\":[" + WEATHER + "," + WEATHER + "]"), "tools[1].function.name", "no other tool has");
    assertRefused(
        () -> chat(USER, ",\"response_format\":{\"type\":\"json_schema\"}"),
        "response_format.json_schema", "expected: an object with name, schema and strict");
    assertRefused(() -> chat(USER, ",\"response_format\":{\"type\":\"xml\"}"), "response_format.type", "xml");
    assertRefused(
        () -> chat(USER + ",{\"role\":\"assistant\"}", ""), "messages[1].content", "or tool_calls");
    assertRefused(
        () -> parse(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":[{\"type\":\"reasoning\"}]}"),
        "input[0].type", "expected: message, function_call or function_call_output");
    assertRefused(
        () -> parse(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"hi\",\"background\":true}"),
        "background", "stores no responses");
  }
}
