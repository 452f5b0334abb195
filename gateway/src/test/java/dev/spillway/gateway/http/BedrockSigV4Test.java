package dev.spillway.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.gateway.config.ConfigLoader;
import dev.spillway.gateway.config.GatewayConfig;
import dev.spillway.gateway.ledger.Ledger;
import dev.spillway.gateway.tenancy.KeyRing;
import dev.spillway.gateway.tenancy.MemoryQuotaStore;
import dev.spillway.gateway.tenancy.PriceEstimate;
import dev.spillway.gateway.tenancy.SpendHistory;
import dev.spillway.gateway.tenancy.Tenancy;
import java.net.URI;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;

/**
 * SigV4 with tenant keys, through the AWS SDK for Java v2: a request signed with a tenant's AWS key
 * is served as that tenant (over HTTP/1.1, and over cleartext HTTP/2 for the async client's event
 * streams, where the signed host is the {@code :authority}); a wrong secret, an unknown key or none
 * is a 403 in Bedrock's shape.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BedrockSigV4Test {

  static final String ACCESS_KEY_ID = "AKIDACMEEXAMPLE0001";
  static final String SECRET = "acme/secret+Example0123456789abcdefghijk";
  static final String BEARER = "sk-metered-bedrock-api-key-0001";
  static final String CONFIG =
      "models:\n"
          + "  - name: llama-3.3-70b\n    pools: [{kind: emulated, accelerator: p5.48xlarge}]\n"
          + "  - name: llama-3.1-8b\n    pools: [{kind: emulated, accelerator: p5.48xlarge, dtype: fp8}]\n"
          + "tenants:\n"
          + "  - name: acme\n"
          + "    models: [llama-3.3-70b]\n"
          + "    keys: [{id: acme-aws, awsAccessKeyId: " + ACCESS_KEY_ID + ", awsSecretAccessKey: \"${ACME_SECRET}\"}]\n"
          + "  - name: metered\n"
          + "    rpm: 1\n"
          + "    keys: [{id: metered-aws, awsAccessKeyId: AKIDMETERED0000001, awsSecretAccessKey: \"${METERED_SECRET}\"},"
          + " {id: metered-bearer, sha256: " + KeyRing.sha256Hex(BEARER) + "}]\n"
          + "  - name: narrow\n"
          + "    models: [llama-3.1-8b]\n"
          + "    keys: [{id: narrow-aws, awsAccessKeyId: AKIDNARROW00000001, awsSecretAccessKey: \"${NARROW_SECRET}\"}]\n";

  private static TestServer server;
  private static URI endpoint;

  @BeforeAll
  static void start() throws Exception {
    GatewayConfig config =
        new ConfigLoader(
                Map.of("ACME_SECRET", SECRET, "NARROW_SECRET", "narrow-secret", "METERED_SECRET", "metered-secret")::get).parse(CONFIG, "test");
    Tenancy tenancy =
        Tenancy.of(config, new MemoryQuotaStore(InstantSource.system(), SpendHistory.NONE), PriceEstimate.FREE);
    server = new TestServer(tenancy, Ledger.disabled());
    endpoint = URI.create("http://127.0.0.1:" + server.port());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static BedrockRuntimeClient client(String accessKeyId, String secret) {
    return BedrockRuntimeClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_WEST_2)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secret)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Test
  void aRequestSignedWithATenantsKeyIsServedAsThatTenant() {
    try (BedrockRuntimeClient client = client(ACCESS_KEY_ID, SECRET)) {
      ConverseResponse response = client.converse(BedrockSdkTest.converse(BedrockSdkTest.BEDROCK_ID).build());

      assertThat(response.usage().outputTokens()).isEqualTo(ScriptedGateway.TOKENS.size());
      assertThat(server.gateway.lastSubmitted().tenant()).isEqualTo("acme");
      assertThat(server.gateway.lastSubmitted().keyId()).isEqualTo("acme-aws");
    }
  }

  @Test
  void anEventStreamOverHttp2IsVerifiedWithTheAuthorityAsHost() throws Exception {
    try (BedrockRuntimeAsyncClient async =
        BedrockRuntimeAsyncClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_WEST_2)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET)))
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      List<ConverseStreamOutput> events = new CopyOnWriteArrayList<>();
      async
          .converseStream(
              ConverseStreamRequest.builder()
                  .modelId(BedrockSdkTest.BEDROCK_ID)
                  .messages(Message.builder().role(ConversationRole.USER).content(ContentBlock.fromText("hi")).build())
                  .build(),
              ConverseStreamResponseHandler.builder().subscriber(events::add).build())
          .get(30, TimeUnit.SECONDS);

      assertThat(events.get(events.size() - 1).sdkEventType()).isEqualTo(ConverseStreamOutput.EventType.METADATA);
      assertThat(server.gateway.lastSubmitted().tenant()).isEqualTo("acme");
    }
  }

  @Test
  void aWrongSecretIsInvalidSignature() {
    int before = server.gateway.submitted.size();
    try (BedrockRuntimeClient client = client(ACCESS_KEY_ID, SECRET + "x")) {
      assertThatThrownBy(() -> client.converse(BedrockSdkTest.converse(BedrockSdkTest.BEDROCK_ID).build()))
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
                assertThat(e.awsErrorDetails().errorMessage()).contains("signature").doesNotContain(SECRET);
              });
    }
    assertThat(server.gateway.submitted).hasSize(before);
  }

  @Test
  void anUnknownAccessKeyIsUnrecognized() {
    try (BedrockRuntimeClient client = client("AKIDNOBODY000000000", SECRET)) {
      assertThatThrownBy(() -> client.converse(BedrockSdkTest.converse(BedrockSdkTest.BEDROCK_ID).build()))
          .isInstanceOfSatisfying(
              AwsServiceException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
              });
    }
  }

  @Test
  void aModelTheTenantMayNotUseIsAccessDenied() {
    try (BedrockRuntimeClient client = client("AKIDNARROW00000001", "narrow-secret")) {
      assertThatThrownBy(() -> client.converse(BedrockSdkTest.converse(BedrockSdkTest.BEDROCK_ID).build()))
          .isInstanceOfSatisfying(AccessDeniedException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  @Test
  void aTenantsRequestsPerMinuteAreThrottlingOnceUsedUpWhicheverKeyItUses() throws Exception {
    var bearer =
        server.post(
            "/model/" + BedrockSdkTest.BEDROCK_ID + "/converse",
            "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}",
            "authorization", "Bearer " + BEARER);
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(server.gateway.lastSubmitted().keyId()).isEqualTo("metered-bearer");

    try (BedrockRuntimeClient client = client("AKIDMETERED0000001", "metered-secret")) {
      assertThatThrownBy(() -> client.converse(BedrockSdkTest.converse(BedrockSdkTest.BEDROCK_ID).build()))
          .isInstanceOfSatisfying(
              ThrottlingException.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(429);
                assertThat(e.awsErrorDetails().errorMessage()).contains("metered");
                assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-ratelimit-limit-requests"))
                    .hasValue("1");
              });
    }
  }

  @Test
  void anUnsignedRequestIsMissingItsToken() throws Exception {
    var response = server.post("/model/" + BedrockSdkTest.BEDROCK_ID + "/converse", "{}");

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
  }
}
