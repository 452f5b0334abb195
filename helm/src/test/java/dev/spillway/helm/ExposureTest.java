package dev.spillway.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway Service published through a Gateway API HTTPRoute or an Ingress. */
class ExposureTest {

  @Test
  void theRouteSendsEveryPathToTheGatewayServiceWithALongRequestTimeout() {
    Manifests rendered = ChartRender.render(ChartRender.EXAMPLES.resolve("upstream-and-route.yaml"));

    HTTPRoute route = rendered.one(HTTPRoute.class, "spillway-gateway");
    assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("public");
      assertThat(p.getNamespace()).isEqualTo("gateway-infra");
    });
    assertThat(route.getSpec().getHostnames()).containsExactly("llm.example.com");
    assertThat(route.getSpec().getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getMatches()).singleElement().satisfies(m -> {
        assertThat(m.getPath().getType()).isEqualTo("PathPrefix");
        assertThat(m.getPath().getValue()).isEqualTo("/");
      });
      assertThat(rule.getBackendRefs()).singleElement().satisfies(b -> {
        assertThat(b.getName()).isEqualTo("spillway-gateway");
        assertThat(b.getPort()).isEqualTo(rendered.service("spillway-gateway").getSpec().getPorts().get(0).getPort());
      });
      assertThat(rule.getTimeouts().getRequest()).isEqualTo("600s");
    });
  }

  @Test
  void theIngressSendsEachHostToTheGatewayServicesHttpPort() {
    Manifests rendered = ChartRender.render(Map.of(
        "ingress.enabled", true, "ingress.className", "nginx", "ingress.hosts[0].host", "llm.example.com"));

    Ingress ingress = rendered.one(Ingress.class, "spillway-gateway");
    assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
    assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getHost()).isEqualTo("llm.example.com");
      assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
        assertThat(path.getPath()).isEqualTo("/");
        assertThat(path.getBackend().getService().getName()).isEqualTo("spillway-gateway");
        assertThat(path.getBackend().getService().getPort().getName()).isEqualTo("http");
      });
    });
  }

  @Test
  void aRouteWithoutAParentFailsToRender() {
    assertThatThrownBy(() -> ChartRender.render(Map.of("httpRoute.enabled", true)))
        .hasMessageContaining("httpRoute.parentRefs: [] with httpRoute.enabled=true");
  }
}
