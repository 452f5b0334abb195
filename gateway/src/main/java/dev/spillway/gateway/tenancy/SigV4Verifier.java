package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 on a request signed with a tenant's AWS key
 * ({@code awsAccessKeyId} in the configuration): the AWS SDKs sign every call with the static
 * credentials they are given, so a Bedrock caller proves its identity the way AWS itself checks it.
 *
 * <p>Implementation notes. The verifier rebuilds the canonical request from what arrived — method,
 * the path double URI-encoded (non-S3 services encode the already encoded path once more, so
 * {@code %3A} becomes {@code %253A}), the sorted query, the signed headers in the order the
 * {@code SignedHeaders} list gives them with their values trimmed and inner spaces collapsed, and the
 * payload's SHA-256 (or {@code UNSIGNED-PAYLOAD} when {@code x-amz-content-sha256} says so) — then the
 * string to sign, derives the signing key from the key's secret and the credential scope, and
 * compares signatures in constant time. {@code X-Amz-Date} must lie within {@link #MAX_SKEW} of the
 * gateway's clock, and the scope's date must be its date. {@code host} is read by the caller: over
 * HTTP/2 it is the {@code :authority} pseudo-header.
 *
 * <p>Thread-safe; time comes from the injected wall clock.
 */
public final class SigV4Verifier {

  public static final String ALGORITHM = "AWS4-HMAC-SHA256";
  public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  /** How far a request's {@code X-Amz-Date} may be from the gateway's clock, either way. */
  public static final Duration MAX_SKEW = Duration.ofMinutes(5);

  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private final KeyRing keys;
  private final LongSupplier currentTimeMillis;

  public SigV4Verifier(KeyRing keys, LongSupplier currentTimeMillis) {
    this.keys = requireNonNull(keys, "keys");
    this.currentTimeMillis = requireNonNull(currentTimeMillis, "currentTimeMillis");
  }

  /**
   * A request as it arrived.
   *
   * @param rawPath the path as sent, percent-encoding intact
   * @param rawQuery the query as sent, without {@code ?}; empty when none
   * @param headers header values by lower-case name, null when absent; {@code host} included
   */
  public record SignedRequest(
      String method, String rawPath, String rawQuery, Function<String, String> headers, byte[] body) {
    public SignedRequest {
      requireNonNull(method, "method");
      requireNonNull(rawPath, "rawPath");
      requireNonNull(rawQuery, "rawQuery");
      requireNonNull(headers, "headers");
      requireNonNull(body, "body");
    }
  }

  /** Why a signature was refused. */
  public enum Failure {
    /** The {@code Authorization} header is not a well-formed SigV4 one. */
    MALFORMED,
    /** No configured key has the access key id. */
    UNKNOWN_KEY,
    /** The signature does not match, or the payload hash does not. */
    MISMATCH,
    /** {@code X-Amz-Date} is missing, or too far from the gateway's clock. */
    EXPIRED
  }

  /** A verified key, or why there is none (a message that names no secret). */
  public record Outcome(Optional<ApiKey> key, Optional<Failure> failure, String message) {
    static Outcome ok(ApiKey key) {
      return new Outcome(Optional.of(key), Optional.empty(), "");
    }

    static Outcome refused(Failure failure, String message) {
      return new Outcome(Optional.empty(), Optional.of(failure), message);
    }
  }

  /** True when {@code authorization} claims a SigV4 signature. */
  public static boolean signed(String authorization) {
    return authorization != null && authorization.startsWith(ALGORITHM + " ");
  }

  /** Verifies the request's signature; its {@code Authorization} must be {@link #signed}. */
  public Outcome verify(SignedRequest request) {
    String authorization = request.headers().apply("authorization");
    if (!signed(authorization)) {
      return Outcome.refused(Failure.MALFORMED, "Authorization: not " + ALGORITHM);
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : authorization.substring(ALGORITHM.length() + 1).split(",")) {
      String p = part.strip();
      if (p.startsWith("Credential=")) {
        credential = p.substring("Credential=".length());
      } else if (p.startsWith("SignedHeaders=")) {
        signedHeaders = p.substring("SignedHeaders=".length());
      } else if (p.startsWith("Signature=")) {
        signature = p.substring("Signature=".length());
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      return Outcome.refused(
          Failure.MALFORMED,
          "Authorization: " + ALGORITHM + " without Credential, SignedHeaders or Signature"
              + " (expected: all three)");
    }
    String[] scope = credential.split("/");
    if (scope.length != 5 || !scope[4].equals("aws4_request")) {
      return Outcome.refused(
          Failure.MALFORMED,
          "Credential: " + credential + " (expected: <key id>/<date>/<region>/<service>/aws4_request)");
    }
    String amzDate = request.headers().apply("x-amz-date");
    if (amzDate == null) {
      return Outcome.refused(Failure.EXPIRED, "X-Amz-Date: missing (expected: the signing time)");
    }
    Instant signedAt;
    try {
      signedAt = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return Outcome.refused(Failure.MALFORMED, "X-Amz-Date: " + amzDate + " (expected: yyyyMMddTHHmmssZ)");
    }
    Instant now = Instant.ofEpochMilli(currentTimeMillis.getAsLong());
    if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
      return Outcome.refused(
          Failure.EXPIRED,
          "Signature expired: " + amzDate + " is more than " + MAX_SKEW.toMinutes()
              + " minutes from the gateway's time " + AMZ_DATE.format(now.atOffset(ZoneOffset.UTC)));
    }
    if (!amzDate.startsWith(scope[1])) {
      return Outcome.refused(
          Failure.MALFORMED, "Credential: date " + scope[1] + " (expected: X-Amz-Date's, " + amzDate.substring(0, 8) + ")");
    }
    Optional<KeyRing.AwsKey> key = keys.aws(scope[0]);
    if (key.isEmpty()) {
      return Outcome.refused(
          Failure.UNKNOWN_KEY,
          "The security token included in the request is invalid (access key id " + scope[0]
              + " is not a tenant's key).");
    }

    String payloadHash = sha256Hex(request.body());
    String claimed = request.headers().apply("x-amz-content-sha256");
    if (claimed != null && !claimed.equals(UNSIGNED_PAYLOAD)) {
      if (!MessageDigest.isEqual(claimed.getBytes(StandardCharsets.US_ASCII), payloadHash.getBytes(StandardCharsets.US_ASCII))) {
        return Outcome.refused(
            Failure.MISMATCH,
            "x-amz-content-sha256: " + claimed + " (expected: the SHA-256 of the body, " + payloadHash + ")");
      }
    } else if (UNSIGNED_PAYLOAD.equals(claimed)) {
      payloadHash = UNSIGNED_PAYLOAD;
    }

    StringBuilder canonical = new StringBuilder(512);
    canonical.append(request.method()).append('\n')
        .append(uriEncode(request.rawPath().isEmpty() ? "/" : request.rawPath(), false)).append('\n')
        .append(canonicalQuery(request.rawQuery())).append('\n');
    for (String name : signedHeaders.split(";")) {
      String value = request.headers().apply(name);
      if (value == null) {
        return Outcome.refused(
            Failure.MISMATCH, "SignedHeaders: " + name + " is signed but not sent (expected: every signed header)");
      }
      canonical.append(name).append(':').append(value.strip().replaceAll(" +", " ")).append('\n');
    }
    canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);

    String stringToSign =
        ALGORITHM + '\n' + amzDate + '\n' + scope[1] + '/' + scope[2] + '/' + scope[3] + "/aws4_request\n"
            + sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
    byte[] signingKey =
        hmac(
            hmac(
                hmac(
                    hmac(("AWS4" + key.get().secretAccessKey()).getBytes(StandardCharsets.UTF_8), scope[1]),
                    scope[2]),
                scope[3]),
            "aws4_request");
    String expected = HexFormat.of().formatHex(hmac(signingKey, stringToSign));
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
      return Outcome.refused(
          Failure.MISMATCH,
          "The request signature we calculated does not match the signature you provided. Check your"
              + " AWS Secret Access Key and signing method.");
    }
    return Outcome.ok(key.get().key());
  }

  /**
   * RFC 3986 encoding as SigV4 does it: unreserved characters kept, every other byte of the UTF-8
   * as {@code %XX} in upper case; {@code /} kept unless {@code slash}.
   */
  static String uriEncode(String text, boolean slash) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !slash)) {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** The query's parameters decoded, encoded again the SigV4 way, sorted by name then value. */
  static String canonicalQuery(String rawQuery) {
    if (rawQuery.isEmpty()) {
      return "";
    }
    List<String> pairs = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      pairs.add(uriEncode(decode(name), true) + "=" + uriEncode(decode(value), true));
    }
    pairs.sort(null);
    return String.join("&", pairs);
  }

  private static String decode(String text) {
    try {
      return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text;
    }
  }

  static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256: not available (expected: in every JDK)", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256: not available (expected: in every JDK)", e);
    }
  }
}
