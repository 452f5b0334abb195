package dev.spillway.loadtest.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptTextTest {

  private static final Encoding CL100K =
      Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 100, 1024, 5000})
  void theCl100kTokenCountIsTheLengthAskedFor(int tokens) {
    assertThat(CL100K.countTokensOrdinary(PromptText.of(tokens, -1, 99))).isEqualTo(tokens);
    assertThat(CL100K.countTokensOrdinary(PromptText.of(tokens, 2, 99))).isEqualTo(tokens);
  }

  @Test
  void promptsOfOneGroupShareTheirLeadingPrefixAndDifferAfterIt() {
    String a = PromptText.of(400, 200, 1, 10);
    String b = PromptText.of(600, 300, 1, 11);
    String other = PromptText.of(400, 200, 2, 10);
    String shared = PromptText.of(200, 200, 1, 12);

    assertThat(a).startsWith(shared);
    assertThat(b).startsWith(shared);
    assertThat(a).isNotEqualTo(b.substring(0, a.length()));
    assertThat(other.substring(0, 40)).isNotEqualTo(a.substring(0, 40));
  }

  @Test
  void theTextIsDeterministicAndEnglishLike() {
    String text = PromptText.of(50, -1, 5);

    assertThat(PromptText.of(50, -1, 5)).isEqualTo(text);
    assertThat(PromptText.of(50, -1, 6)).isNotEqualTo(text);
    assertThat(text).matches("[A-Za-z ,.]+");
  }
}
