package dev.spillway.gateway.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One API key: a bearer key known by the SHA-256 of its secret, or an AWS access key whose secret the
 * gateway must hold to verify SigV4 signatures (so it comes from the environment, never the file).
 * {@link #toString()} leaves the secret out: records print every component, and configuration ends up
 * in logs.
 *
 * @param id the key's public name, shown in logs, metrics and the ledger; never the secret
 * @param sha256 the lower-case hex SHA-256 of the bearer secret
 * @param awsAccessKeyId the access key id of a SigV4 caller
 * @param awsSecretAccessKey its secret access key
 */
public record KeyConfig(
    String id,
    Optional<String> sha256,
    Optional<String> awsAccessKeyId,
    Optional<String> awsSecretAccessKey) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:@/-]{1,128}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public KeyConfig {
    requireNonNull(id, "id");
    requireNonNull(sha256, "sha256");
    requireNonNull(awsAccessKeyId, "awsAccessKeyId");
    requireNonNull(awsSecretAccessKey, "awsSecretAccessKey");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "id: " + id + " (expected: 1 to 128 letters, digits or ._:@/-)");
    }
    sha256 = sha256.map(h -> h.toLowerCase(java.util.Locale.ROOT));
    if (sha256.isPresent() && !SHA256.matcher(sha256.get()).matches()) {
      throw new IllegalArgumentException(
          "sha256: " + sha256.get() + " (expected: 64 hex digits, the SHA-256 of the secret)");
    }
    if (sha256.isPresent() == awsAccessKeyId.isPresent()) {
      throw new IllegalArgumentException(
          "key " + id + ": " + (sha256.isPresent() ? "both sha256 and awsAccessKeyId" : "neither")
              + " (expected: exactly one of sha256 or awsAccessKeyId)");
    }
    if (awsAccessKeyId.isPresent() != awsSecretAccessKey.isPresent()) {
      throw new IllegalArgumentException(
          "key " + id + ": awsAccessKeyId without awsSecretAccessKey or the reverse (expected: both)");
    }
    if (awsSecretAccessKey.isPresent() && awsSecretAccessKey.get().isEmpty()) {
      throw new IllegalArgumentException(
          "key " + id + ".awsSecretAccessKey: empty (expected: a non-empty secret)");
    }
  }

  /** A bearer key. */
  public static KeyConfig bearer(String id, String sha256) {
    return new KeyConfig(id, Optional.of(sha256), Optional.empty(), Optional.empty());
  }

  /** A SigV4 key. */
  public static KeyConfig aws(String id, String accessKeyId, String secretAccessKey) {
    return new KeyConfig(id, Optional.empty(), Optional.of(accessKeyId), Optional.of(secretAccessKey));
  }

  @Override
  public String toString() {
    return "KeyConfig[id=" + id
        + sha256.map(h -> ", sha256=" + h.substring(0, 8) + "…").orElse("")
        + awsAccessKeyId.map(a -> ", awsAccessKeyId=" + a + ", awsSecretAccessKey=<redacted>").orElse("")
        + "]";
  }
}
