package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartLintTest {

  @TempDir Path work;

  static List<Path> examples() {
    return ChartRender.examples();
  }

  @Test
  void defaultValuesPassStrictLint() throws Exception {
    LintResult lint = ChartRender.lint(null, work);

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExamplePassesStrictLintAndRenders(Path example) throws Exception {
    LintResult lint = ChartRender.lint(example, work);
    Manifests rendered = ChartRender.render(example);

    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThat(rendered.names()).contains("Deployment/spillway-gateway", "ConfigMap/spillway-gateway");
  }

  @Test
  void thereAreExamplesForEachUseTheDocsShow() {
    assertThat(examples()).extracting(p -> p.getFileName().toString())
        .contains("demo-fleet.yaml", "scale-out-redis.yaml", "trial-redis.yaml", "sharded-experiment.yaml",
            "upstream-and-route.yaml");
  }
}
