package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** helm/spillway/README.md documents every value of values.yaml, and the schema knows every one. */
class ChartReadmeTest {

  /** Top-level mappings that are only groups of keys, not values of their own. */
  private static final Set<String> GROUPS = Set.of(
      "image", "serviceAccount", "gateway", "emulators", "emulatorDefaults", "redis", "metrics",
      "metrics.serviceMonitor", "networkPolicy", "ingress", "httpRoute", "experiment", "experiment.volume",
      "gateway.service", "gateway.autoscaling", "gateway.pdb", "gateway.ledger", "redis.image");

  @Test
  void everyValueIsInTheReadme() throws Exception {
    JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(ChartRender.CHART.resolve("values.yaml").toFile());
    String readme = Files.readString(ChartRender.CHART.resolve("README.md"));
    List<String> leaves = new ArrayList<>();
    collect("", values, leaves);

    List<String> undocumented = new ArrayList<>();
    for (String path : leaves) {
      if (!documented(path, readme)) {
        undocumented.add(path);
      }
    }

    assertThat(leaves).contains("gateway.replicaCount", "emulators.<key>.accelerator", "redis.url");
    assertThat(undocumented).isEmpty();
  }

  /** Leaf paths; an emulator's fields as {@code emulators.<key>.field}, once. */
  private static void collect(String prefix, JsonNode node, List<String> out) {
    if (prefix.equals("emulators")) {
      collect("emulators.<key>", node.elements().next(), out);
      return;
    }
    if (node.isObject() && !node.isEmpty() && (prefix.isEmpty() || GROUPS.contains(prefix) || prefix.startsWith("emulators."))) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        collect(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else if (!out.contains(prefix)) {
      out.add(prefix);
    }
  }

  /** As {@code `a.b.c`}, or on a row that names {@code `a.b.x`} and then {@code `.c`}. */
  private static boolean documented(String path, String readme) {
    if (readme.contains("`" + path + "`")) {
      return true;
    }
    int dot = path.lastIndexOf('.');
    if (dot < 0) {
      return false;
    }
    String parent = path.substring(0, dot + 1);
    String leaf = "`" + path.substring(dot) + "`";
    return readme.lines().anyMatch(line -> line.startsWith("| `" + parent) && line.contains(leaf));
  }
}
