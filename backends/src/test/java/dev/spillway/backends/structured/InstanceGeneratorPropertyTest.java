package dev.spillway.backends.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for 200 random schemas over the supported subset (half of them strict), the schema
 * passes the check, and every instance generated for it is valid JSON that an independent validator
 * accepts, split into pieces that are exactly its cl100k tokens.
 */
class InstanceGeneratorPropertyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  static Stream<Arguments> schemas() {
    return LongStream.range(0, 200).mapToObj(seed -> Arguments.of(seed, seed % 2 == 0));
  }

  @ParameterizedTest(name = "schema {0}, strict {1}")
  @MethodSource("schemas")
  void generatedInstancesValidateAgainstTheirSchema(long seed, boolean strict) throws Exception {
    JsonNode schema = RandomSchemas.of(seed, strict);
    SchemaSubset.check(schema, "schema", strict);

    for (long draw = 0; draw < 5; draw++) {
      String text = InstanceGenerator.generate(schema, new SplittableRandom(seed * 31 + draw));
      JsonNode instance = JSON.readTree(text);
      assertThat(SchemaValidator.errors(schema, instance)).as("%s\nagainst %s", text, schema).isEmpty();
      List<String> pieces = TokenPieces.split(text);
      assertThat(String.join("", pieces)).isEqualTo(text);
      assertThat(pieces).hasSize(CL100K.countTokensOrdinary(text));
    }
  }
}
