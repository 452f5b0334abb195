package dev.spillway.gateway.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.gateway.config.AdminConfig;
import dev.spillway.gateway.config.KeyConfig;
import dev.spillway.gateway.config.TenantConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * SigV4 verification against vectors of AWS's published Signature Version 4 test suite
 * ({@code get-vanilla}, {@code get-vanilla-query-order-key-case}: key {@code AKIDEXAMPLE}, region
 * {@code us-east-1}, service {@code service}, signed at 2015-08-30T12:36:00Z), and its refusals.
 */
class SigV4VerifierTest {

  static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  static final Instant SIGNED_AT = Instant.parse("2015-08-30T12:36:00Z");
  static final String GET_VANILLA = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  static final String QUERY_ORDER = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";

  private static KeyRing keys(String secret) {
    TenantConfig tenant =
        new TenantConfig(
            "acme", Set.of(), Set.of(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
            List.of(KeyConfig.aws("acme-aws", "AKIDEXAMPLE", secret)));
    return KeyRing.of(List.of(tenant), AdminConfig.NONE);
  }

  private static SigV4Verifier.SignedRequest request(String query, String signature, String accessKeyId) {
    Map<String, String> headers =
        Map.of(
            "host", "example.amazonaws.com",
            "x-amz-date", "20150830T123600Z",
            "authorization",
            "AWS4-HMAC-SHA256 Credential=" + accessKeyId + "/20150830/us-east-1/service/aws4_request,"
                + " SignedHeaders=host;x-amz-date, Signature=" + signature);
    return new SigV4Verifier.SignedRequest("GET", "/", query, headers::get, new byte[0]);
  }

  private static SigV4Verifier verifier(KeyRing keys, Instant now) {
    return new SigV4Verifier(keys, now::toEpochMilli);
  }

  @Test
  void verifiesTheGetVanillaVector() {
    SigV4Verifier.Outcome outcome = verifier(keys(SECRET), SIGNED_AT).verify(request("", GET_VANILLA, "AKIDEXAMPLE"));

    assertThat(outcome.failure()).isEmpty();
    assertThat(outcome.key()).hasValue(new ApiKey("acme-aws", "acme", false));
  }

  @Test
  void sortsTheQueryAsTheQueryOrderVectorDoes() {
    SigV4Verifier.Outcome outcome =
        verifier(keys(SECRET), SIGNED_AT).verify(request("Param2=value2&Param1=value1", QUERY_ORDER, "AKIDEXAMPLE"));

    assertThat(outcome.key()).isPresent();
  }

  @Test
  void aSignatureMadeWithAnotherSecretIsAMismatch() {
    SigV4Verifier.Outcome outcome =
        verifier(keys(SECRET + "x"), SIGNED_AT).verify(request("", GET_VANILLA, "AKIDEXAMPLE"));

    assertThat(outcome.failure()).hasValue(SigV4Verifier.Failure.MISMATCH);
    assertThat(outcome.message()).doesNotContain(SECRET);
  }

  @Test
  void anUnknownAccessKeyIdIsRefusedAsSuch() {
    assertThat(verifier(keys(SECRET), SIGNED_AT).verify(request("", GET_VANILLA, "AKIDOTHER")).failure())
        .hasValue(SigV4Verifier.Failure.UNKNOWN_KEY);
  }

  @Test
  void acceptsFiveMinutesOfClockSkewEitherWayAndNoMore() {
    KeyRing keys = keys(SECRET);
    SigV4Verifier.SignedRequest signed = request("", GET_VANILLA, "AKIDEXAMPLE");

    assertThat(verifier(keys, SIGNED_AT.plus(Duration.ofMinutes(5))).verify(signed).key()).isPresent();
    assertThat(verifier(keys, SIGNED_AT.minus(Duration.ofMinutes(5))).verify(signed).key()).isPresent();
    assertThat(verifier(keys, SIGNED_AT.plus(Duration.ofMinutes(5).plusSeconds(1))).verify(signed).failure())
        .hasValue(SigV4Verifier.Failure.EXPIRED);
    assertThat(verifier(keys, SIGNED_AT.minus(Duration.ofMinutes(6))).verify(signed).failure())
        .hasValue(SigV4Verifier.Failure.EXPIRED);
  }

  @Test
  void aBodyThatIsNotTheOneSignedIsAMismatch() {
    SigV4Verifier.SignedRequest signed = request("", GET_VANILLA, "AKIDEXAMPLE");
    SigV4Verifier.SignedRequest tampered =
        new SigV4Verifier.SignedRequest(
            "GET", "/", "", signed.headers(), "{}".getBytes(StandardCharsets.UTF_8));

    assertThat(verifier(keys(SECRET), SIGNED_AT).verify(tampered).failure())
        .hasValue(SigV4Verifier.Failure.MISMATCH);
  }

  @Test
  void doubleEncodesThePathAsNonS3ServicesDo() {
    assertThat(SigV4Verifier.uriEncode("/model/meta.llama3-1-8b-instruct-v1%3A0/converse", false))
        .isEqualTo("/model/meta.llama3-1-8b-instruct-v1%253A0/converse");
  }
}
