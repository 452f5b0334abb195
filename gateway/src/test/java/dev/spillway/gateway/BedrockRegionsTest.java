package dev.spillway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real gateway with one model in two regions: a Bedrock inference profile id runs in its
 * geography's region and says so; the bare foundation id may run in either.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BedrockRegionsTest {

  static final String CONFIG =
      "server: {host: 127.0.0.1, port: 0, eventLoops: 1}\n"
          + "models:\n"
          + "  - name: llama-3.1-8b\n"
          + "    aliases: [meta.llama3-1-8b-instruct-v1:0]\n"
          + "    pools:\n"
          + "      - {name: llama-virginia, kind: emulated, accelerator: p5.48xlarge, dtype: fp8, region: us-east-1}\n"
          + "      - {name: llama-ireland, kind: emulated, accelerator: p5.48xlarge, dtype: fp8, region: eu-west-1}\n";
  static final String BODY =
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Say hello.\"}]}],\"inferenceConfig\":{\"maxTokens\":3}}";

  private static KeyedGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new KeyedGateway(CONFIG);
  }

  @AfterAll
  static void stop() throws Exception {
    gateway.close();
  }

  @Test
  void eachProfileRunsInItsOwnRegion() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> eu = gateway.post("/model/eu.meta.llama3-1-8b-instruct-v1%3A0/converse", BODY);
      assertThat(eu.statusCode()).isEqualTo(200);
      assertThat(eu.headers().firstValue("x-spillway-region")).hasValue("eu-west-1");
      assertThat(eu.headers().firstValue("x-spillway-pool")).hasValue("llama-ireland");
      assertThat(KeyedGateway.json(eu).get("usage").get("outputTokens").asInt()).isEqualTo(3);

      HttpResponse<String> us = gateway.post("/model/us.meta.llama3-1-8b-instruct-v1%3A0/converse", BODY);
      assertThat(us.headers().firstValue("x-spillway-region")).hasValue("us-east-1");
      assertThat(us.headers().firstValue("x-spillway-pool")).hasValue("llama-virginia");
    }
  }

  @Test
  void aProfileWithNoPoolInItsRegionsIsAValidationException() throws Exception {
    HttpResponse<String> apac = gateway.post("/model/apac.meta.llama3-1-8b-instruct-v1%3A0/converse", BODY);

    assertThat(apac.statusCode()).isEqualTo(400);
    assertThat(apac.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
    assertThat(KeyedGateway.json(apac).get("message").asText()).contains("apac spans ap-northeast-1");
  }

  @Test
  void theFoundationIdRunsInEitherRegion() throws Exception {
    HttpResponse<String> any = gateway.post("/model/meta.llama3-1-8b-instruct-v1%3A0/converse", BODY);

    assertThat(any.statusCode()).isEqualTo(200);
    assertThat(any.headers().firstValue("x-spillway-region").orElseThrow()).isIn("us-east-1", "eu-west-1");
  }
}
