package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Bedrock application inference profile: a request through its ARN is served by the profile's
 * model and recorded in the usage ledger with the profile's cost-allocation tag, which
 * {@code /admin/usage?group_by=tag} sums.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BedrockApplicationProfileTest {

  @TempDir Path ledger;

  @Test
  void recordsRequestsThroughAnApplicationProfileWithItsTag() throws Exception {
    String config =
        "server: {host: 127.0.0.1, port: 0, eventLoops: 1}\n"
            + "models:\n"
            + "  - name: llama-3.1-8b\n"
            + "    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8}]\n"
            + "inferenceProfiles:\n"
            + "  application: [{id: search-prod, model: llama-3.1-8b, tag: team-search}]\n"
            + "ledger: {path: " + ledger + "}\n";
    String body =
        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Say hello.\"}]}],\"inferenceConfig\":{\"maxTokens\":4}}";
    try (KeyedGateway gateway = new KeyedGateway(config)) {
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> answer =
            gateway.post(
                "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fsearch-prod/converse",
                body);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(KeyedGateway.json(answer).get("usage").get("outputTokens").asInt()).isEqualTo(4);
      }
      assertThat(gateway.post("/model/meta.llama3-1-8b-instruct-v1%3A0/invoke", "{\"prompt\":\"hi\",\"max_gen_len\":2}")
              .statusCode())
          .isEqualTo(404); // the model has neither the Bedrock id nor its Hugging Face name as an alias
      assertThat(gateway.post("/model/llama-3.1-8b/invoke", "{\"prompt\":\"hi\",\"max_gen_len\":2}").statusCode())
          .isEqualTo(200);

      JsonNode usage = KeyedGateway.json(gateway.get("/admin/usage?group_by=tag"));
      JsonNode data = usage.get("data");
      assertThat(data).hasSize(2);
      JsonNode tagged = data.get(0).get("group").isNull() ? data.get(1) : data.get(0);
      assertThat(tagged.get("group").asText()).isEqualTo("team-search");
      assertThat(tagged.get("requests").asInt()).isEqualTo(2);
      assertThat(tagged.get("completion_tokens").asInt()).isEqualTo(8);
    }
  }
}
