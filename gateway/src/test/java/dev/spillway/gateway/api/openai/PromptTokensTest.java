package dev.spillway.gateway.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptTokensTest {

  @ParameterizedTest
  @ValueSource(strings = {"system", "developer", "user", "assistant", "tool", "function", "other"})
  void aRoleCountsAsItsNameCountsAsText(String role) {
    assertThat(PromptTokens.countRole(role)).isEqualTo(PromptTokens.count(role));
  }
}
