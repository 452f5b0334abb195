package dev.spillway.backends.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TextGeneratorTest {

  private static String text(long seed, int tokens) {
    TextGenerator.Stream stream = TextGenerator.stream(seed);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      out.append(stream.next());
    }
    return out.toString();
  }

  @Test
  void sameSeedSameTextDifferentSeedDifferentText() {
    assertThat(text(7, 300)).isEqualTo(text(7, 300));
    assertThat(text(7, 300)).isNotEqualTo(text(8, 300));
    assertThat(text(7, 300)).startsWith(text(7, 100));
  }

  @ParameterizedTest
  @EnumSource(
      value = EncodingType.class,
      names = {"CL100K_BASE", "O200K_BASE"})
  void aClientTokenizerCountsExactlyTheTokensGenerated(EncodingType type) {
    Encoding encoding = Encodings.newDefaultEncodingRegistry().getEncoding(type);
    for (long seed = 0; seed < 50; seed++) {
      for (int n : new int[] {1, 2, 17, 256, 1000}) {
        assertThat(encoding.countTokens(text(seed, n)))
            .as("seed %d, %d tokens", seed, n)
            .isEqualTo(n);
      }
    }
  }

  @Test
  void readsLikeSentences() {
    String t = text(3, 400);
    assertThat(t).doesNotStartWith(" ").contains(". ").matches("^[A-Z].*");
  }
}
