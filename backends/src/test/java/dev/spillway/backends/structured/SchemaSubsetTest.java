package dev.spillway.backends.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaSubsetTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pattern", "allOf", "oneOf", "not", "patternProperties", "uniqueItems", "multipleOf"})
  void refusesAKeywordOutsideTheSubsetNamingItAndWhereItIs(String keyword) throws Exception {
    JsonNode schema =
        json("{'type':'object','properties':{'a':{'type':'string','" + keyword + "':1}}}");

    assertThatThrownBy(() -> SchemaSubset.check(schema, "response_format.json_schema.schema", false))
        .isInstanceOfSatisfying(
            SchemaException.class,
            e -> {
              assertThat(e.field()).isEqualTo("response_format.json_schema.schema.properties.a." + keyword);
              assertThat(e.getMessage())
                  .startsWith("response_format.json_schema.schema.properties.a: keyword " + keyword
                      + " is not supported (expected: ");
            });
  }

  @Test
  void strictModeNeedsEveryPropertyRequiredAndNoAdditionalProperties() throws Exception {
    JsonNode optional =
        json("{'type':'object','properties':{'a':{'type':'string'},'b':{'type':'integer'}},"
            + "'required':['a'],'additionalProperties':false}");
    JsonNode open = json("{'type':'object','properties':{'a':{'type':'string'}},'required':['a']}");

    SchemaSubset.check(optional, "s", false);
    assertThatThrownBy(() -> SchemaSubset.check(optional, "s", true))
        .hasMessage("s.required: lacks b (expected: every property: in strict mode optional ones are a union with null)");
    assertThatThrownBy(() -> SchemaSubset.check(open, "s", true))
        .hasMessageStartingWith("s.additionalProperties: absent (expected: false");
    assertThatThrownBy(() -> SchemaSubset.check(json("{'type':'array'}"), "s", true))
        .hasMessageStartingWith("s.type: \"array\" (expected: \"object\"");
  }

  @Test
  void refusesSchemasWithNoInstance() throws Exception {
    assertThatThrownBy(() -> SchemaSubset.check(json("{'type':'integer','minimum':1.2,'maximum':1.8}"), "s", false))
        .hasMessage("s: no integer between the bounds (expected: a schema with a finite instance)");
    assertThatThrownBy(() -> SchemaSubset.check(json("{'type':'array','minItems':3,'maxItems':2}"), "s", false))
        .hasMessage("s.minItems: 3 (expected: at most maxItems, 2)");
    JsonNode endless =
        json("{'$defs':{'n':{'type':'object','properties':{'next':{'$ref':'#/$defs/n'}},'required':['next']}},"
            + "'$ref':'#/$defs/n'}");
    assertThatThrownBy(() -> SchemaSubset.check(endless, "s", false))
        .hasMessageContaining("a recursion with no end");
    assertThatThrownBy(() -> SchemaSubset.check(json("{'$ref':'#/$defs/missing'}"), "s", false))
        .hasMessageStartingWith("s.$ref: \"#/$defs/missing\" (expected: ");
  }

  @Test
  void theValidatorTheTestsTrustRejectsWhatTheSchemaRules() throws Exception {
    JsonNode schema =
        json("{'type':'object','properties':{'n':{'type':'integer','exclusiveMinimum':0},"
            + "'tags':{'type':'array','items':{'enum':['x','y']},'maxItems':1}},"
            + "'required':['n'],'additionalProperties':false}");

    assertThat(SchemaValidator.errors(schema, json("{'n':1,'tags':['x']}"))).isEmpty();
    assertThat(SchemaValidator.errors(schema, json("{'tags':[]}"))).containsExactly("$: lacks required n");
    assertThat(SchemaValidator.errors(schema, json("{'n':0}"))).hasSize(1);
    assertThat(SchemaValidator.errors(schema, json("{'n':1.5}"))).hasSize(1);
    assertThat(SchemaValidator.errors(schema, json("{'n':1,'tags':['z','x']}"))).hasSize(2);
    assertThat(SchemaValidator.errors(schema, json("{'n':1,'extra':true}"))).hasSize(1);
  }

  @Test
  void aBranchOrAnOptionalPropertyWithoutAValueIsPassedOver() throws Exception {
    JsonNode schema =
        json("{'type':'object','properties':{'a':{'anyOf':[false,{'type':'integer','minimum':3,'maximum':3}]},"
            + "'b':false},'required':['a']}");

    SchemaSubset.check(schema, "s", false);
    for (long seed = 0; seed < 50; seed++) {
      assertThat(InstanceGenerator.generate(schema, new SplittableRandom(seed))).isEqualTo("{\"a\":3}");
    }
  }
}
