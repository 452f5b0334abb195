package dev.spillway.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What {@code helm template} printed, as typed objects (fabric8's model; unknown kinds generic). */
final class Manifests {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  final String yaml;
  final List<HasMetadata> objects;

  private Manifests(String yaml, List<HasMetadata> objects) {
    this.yaml = yaml;
    this.objects = List.copyOf(objects);
  }

  static Manifests parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : SEPARATOR.split(yaml)) {
      boolean empty = document.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"));
      if (!empty) {
        objects.add(SERIALIZATION.unmarshal(document, HasMetadata.class));
      }
    }
    return new Manifests(yaml, objects);
  }

  /** {@code Kind/name} of every object, in order. */
  List<String> names() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toList());
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  List<GenericKubernetesResource> all(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(o -> o.getKind().equals(kind)).collect(Collectors.toList());
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(type.getSimpleName() + "/" + name + " not rendered; rendered: " + names()));
  }

  Deployment deployment(String name) {
    return one(Deployment.class, name);
  }

  Service service(String name) {
    return one(Service.class, name);
  }

  Job job(String name) {
    return one(Job.class, name);
  }

  /** The gateway's config file, as the ConfigMap holds it. */
  String gatewayConfig() {
    return one(ConfigMap.class, "spillway-gateway").getData().get("gateway.yaml");
  }

  /** The chart's Secret, decoded: the environment the gateway's ${NAME}s resolve in. */
  Map<String, String> secretEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (Secret secret : all(Secret.class)) {
      secret.getData().forEach((k, v) -> env.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return env;
  }
}
