package dev.spillway.gateway.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spillway.backends.wire.JsonText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An OpenAI request body in the canonical form the response cache compares
 * ({@code GatewayRequest.canonical}): the endpoint's path, a newline, then the body as compact JSON
 * with every object's keys sorted and {@code null} members left out (the API reads {@code null} as
 * absent), and without the members that do not change the answer or that the core's key holds in a
 * normalised form of its own.
 *
 * <p>Everything else is kept as the client sent it — the messages with their roles, names, parts and
 * tool calls, the prompt as text or token ids, and any field the gateway ignores today but an upstream
 * might one day be given ({@code tools}, {@code response_format}, {@code logit_bias}) — so two requests
 * share an answer only when they ask for the same thing. Key order and whitespace do not matter;
 * {@code 1} and {@code 1.0} are different numbers.
 */
final class CanonicalRequest {

  /**
   * Left out: the model (the cache is the resolved model's), how the answer is delivered
   * ({@code stream}, {@code stream_options}), the tier, the tenant ({@code user}; the key has the
   * tenant the gateway settled on), and what the key holds normalised: the output budget and the
   * sampling parameters; for the Responses API also {@code store} and {@code metadata}, which only
   * the response object repeats.
   */
  private static final Set<String> LEFT_OUT =
      Set.of(
          "model", "stream", "stream_options", "service_tier", "user", "max_tokens",
          "max_completion_tokens", "temperature", "top_p", "seed", "stop", "n",
          // The Responses API's budget, and what does not shape its answer.
          "max_output_tokens", "store", "metadata");

  private CanonicalRequest() {}

  /** {@code bodyBytes}: the body's size, which the canonical form seldom exceeds (one allocation). */
  static String of(Endpoint endpoint, JsonNode body, int bodyBytes) {
    StringBuilder out =
        new StringBuilder(endpoint.path().length() + 1 + bodyBytes).append(endpoint.path()).append('\n');
    out.append('{');
    boolean first = true;
    for (String name : sortedNames(body)) {
      JsonNode value = body.get(name);
      if (LEFT_OUT.contains(name) || value.isNull()) {
        continue;
      }
      first = member(out, first, name);
      write(out, value);
    }
    return out.append('}').toString();
  }

  private static void write(StringBuilder out, JsonNode node) {
    if (node.isObject()) {
      out.append('{');
      boolean first = true;
      for (String name : sortedNames(node)) {
        JsonNode value = node.get(name);
        if (value.isNull()) {
          continue;
        }
        first = member(out, first, name);
        write(out, value);
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(out, node.get(i));
      }
      out.append(']');
    } else if (node.isTextual()) {
      JsonText.string(out, node.textValue());
    } else {
      out.append(node.toString()); // a number or a boolean as JSON
    }
  }

  private static boolean member(StringBuilder out, boolean first, String name) {
    if (!first) {
      out.append(',');
    }
    JsonText.string(out, name);
    out.append(':');
    return false;
  }

  private static List<String> sortedNames(JsonNode object) {
    List<String> names = new ArrayList<>(object.size());
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      names.add(e.getKey());
    }
    Collections.sort(names);
    return names;
  }
}
