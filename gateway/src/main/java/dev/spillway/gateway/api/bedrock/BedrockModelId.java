package dev.spillway.gateway.api.bedrock;

import static java.util.Objects.requireNonNull;

import dev.spillway.gateway.core.Gateway.ModelInfo;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model id as a Bedrock caller names it, taken apart: a foundation model id
 * ({@code meta.llama3-3-70b-instruct-v1:0}), the same behind a cross-region inference profile's
 * geography prefix ({@code us.meta.llama3-3-70b-instruct-v1:0}), or an ARN of either
 * ({@code arn:aws:bedrock:us-east-1::foundation-model/…}, {@code …:inference-profile/…}).
 *
 * <p>Resolving one to a Spillway model tries the id as sent (a configured name or alias), then the
 * foundation model id, then the Hugging Face names of the Meta Llama models Bedrock serves, so a
 * configuration that names its models only the Hugging Face way still answers Bedrock's ids.
 *
 * @param sent the id as the client sent it, percent-decoded
 * @param foundation the foundation model id without ARN or geography prefix
 * @param geography the inference profile's geography ({@code us}, {@code eu}, {@code apac},
 *     {@code us-gov}, {@code global}); empty for a foundation model
 * @param arnRegion the region an ARN names; empty without an ARN or when it names none
 */
public record BedrockModelId(
    String sent, String foundation, Optional<String> geography, Optional<String> arnRegion) {

  /** Bedrock's longest {@code modelId} ({@code InvokeModelIdentifier}). */
  static final int MAX_LENGTH = 2048;
  /** The geography prefixes of Bedrock's system-defined cross-region inference profiles. */
  public static final List<String> GEOGRAPHIES = List.of("us", "us-gov", "eu", "apac", "global");

  private static final Pattern ARN =
      Pattern.compile("arn:aws(?:-[a-z]+)*:bedrock:([a-z0-9-]*):([0-9]*):([a-z-]+)/(.+)");

  /** Foundation model ids of Bedrock's Meta Llama models, with the Hugging Face names of the same. */
  static final Map<String, String> HUGGING_FACE_NAMES =
      Map.of(
          "meta.llama3-1-8b-instruct-v1:0", "meta-llama/Llama-3.1-8B-Instruct",
          "meta.llama3-1-70b-instruct-v1:0", "meta-llama/Llama-3.1-70B-Instruct",
          "meta.llama3-1-405b-instruct-v1:0", "meta-llama/Llama-3.1-405B-Instruct",
          "meta.llama3-3-70b-instruct-v1:0", "meta-llama/Llama-3.3-70B-Instruct",
          "meta.llama3-2-1b-instruct-v1:0", "meta-llama/Llama-3.2-1B-Instruct",
          "meta.llama3-2-3b-instruct-v1:0", "meta-llama/Llama-3.2-3B-Instruct");

  public BedrockModelId {
    requireNonNull(sent, "sent");
    requireNonNull(foundation, "foundation");
    requireNonNull(geography, "geography");
    requireNonNull(arnRegion, "arnRegion");
  }

  /**
   * Takes {@code id} apart.
   *
   * @throws BedrockError a 400 for an empty or overlong id, a 404 for an ARN of a kind the gateway
   *     does not serve (provisioned, custom or imported models, prompts)
   */
  public static BedrockModelId parse(String id) {
    return parse(id, GEOGRAPHIES);
  }

  /** As {@link #parse(String)}, with {@code geographies} as the profile prefixes. */
  public static BedrockModelId parse(String id, Collection<String> geographies) {
    requireNonNull(id, "id");
    requireNonNull(geographies, "geographies");
    if (id.isEmpty() || id.length() > MAX_LENGTH) {
      throw BedrockError.validation(
          "modelId: " + (id.isEmpty() ? "empty" : id.length() + " characters")
              + " (expected: 1 to " + MAX_LENGTH + " characters)");
    }
    String rest = id;
    Optional<String> region = Optional.empty();
    Matcher arn = ARN.matcher(id);
    if (arn.matches()) {
      String kind = arn.group(3);
      if (!kind.equals("foundation-model") && !kind.equals("inference-profile")) {
        throw BedrockError.notFound(
            "modelId: " + id + " is a " + kind
                + " ARN (expected: a foundation model or inference profile id or ARN)");
      }
      region = arn.group(1).isEmpty() ? Optional.empty() : Optional.of(arn.group(1));
      rest = arn.group(4);
    }
    Optional<String> geography = Optional.empty();
    int dot = rest.indexOf('.');
    if (dot > 0 && geographies.contains(rest.substring(0, dot)) && rest.indexOf('.', dot + 1) > 0) {
      geography = Optional.of(rest.substring(0, dot));
      rest = rest.substring(dot + 1);
    }
    return new BedrockModelId(id, rest, geography, region);
  }

  /** The Spillway model this id names, if any (see the class notes for the order). */
  public Optional<ModelInfo> resolve(Function<String, Optional<ModelInfo>> models) {
    Optional<ModelInfo> model = models.apply(sent);
    if (model.isEmpty() && !foundation.equals(sent)) {
      model = models.apply(foundation);
    }
    String huggingFace = HUGGING_FACE_NAMES.get(foundation);
    if (model.isEmpty() && huggingFace != null) {
      model = models.apply(huggingFace);
    }
    return model;
  }
}
