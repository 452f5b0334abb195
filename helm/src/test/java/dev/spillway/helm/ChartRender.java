package dev.spillway.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The chart in {@code helm/spillway}, rendered and linted by the Helm library that helm-java bundles:
 * no {@code helm} binary, no cluster, no network.
 */
final class ChartRender {

  /** The module's directory is the working directory of its tests. */
  static final Path CHART = Path.of("spillway").toAbsolutePath();
  static final Path EXAMPLES = CHART.resolve("examples");
  static final String RELEASE = "spillway";
  static final String NAMESPACE = "llm";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ChartRender() {}

  /** Every file in {@code examples/}, by name. */
  static List<Path> examples() {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + EXAMPLES, e);
    }
  }

  /**
   * {@code helm template spillway helm/spillway -n llm [-f values] [--set k=v ...]}, parsed.
   *
   * @throws IllegalStateException with Helm's message when rendering fails (schema, {@code fail})
   */
  static Manifests render(Path values, Map<String, Object> sets) {
    TemplateCommand template =
        new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion("1.31.0");
    if (values != null) {
      template.withValuesFile(values);
    }
    sets.forEach(template::set);
    return Manifests.parse(template.call());
  }

  static Manifests render(Map<String, Object> sets) {
    return render(null, sets);
  }

  static Manifests render(Path values) {
    return render(values, Map.of());
  }

  /**
   * {@code helm lint --strict} of the chart with {@code values} laid over its defaults. The bundled
   * library's lint takes no values file, so the chart is copied to {@code work} with the values
   * merged into its {@code values.yaml} the way Helm merges them: mappings key by key, anything
   * else replaced.
   */
  @SuppressWarnings("unchecked")
  static LintResult lint(Path values, Path work) throws IOException {
    Path chart = CHART;
    if (values != null) {
      chart = work.resolve("spillway");
      copy(CHART, chart);
      Map<String, Object> defaults = YAML.readValue(CHART.resolve("values.yaml").toFile(), Map.class);
      Map<String, Object> overlay = YAML.readValue(values.toFile(), Map.class);
      YAML.writeValue(chart.resolve("values.yaml").toFile(), merge(defaults, overlay));
    }
    return new Helm(chart).lint().strict().call();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overlay) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    overlay.forEach((key, value) -> {
      Object under = out.get(key);
      if (value instanceof Map && under instanceof Map) {
        out.put(key, merge((Map<String, Object>) under, (Map<String, Object>) value));
      } else if (value == null) {
        out.remove(key);
      } else {
        out.put(key, value);
      }
    });
    return out;
  }

  private static void copy(Path from, Path to) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = walk.sorted(Comparator.naturalOrder()).collect(Collectors.toCollection(ArrayList::new));
    }
    for (Path path : paths) {
      Path target = to.resolve(from.relativize(path).toString());
      if (Files.isDirectory(path)) {
        Files.createDirectories(target);
      } else {
        Files.copy(path, target);
      }
    }
  }
}
