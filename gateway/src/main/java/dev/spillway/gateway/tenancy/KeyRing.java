package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.spillway.gateway.config.AdminConfig;
import dev.spillway.gateway.config.KeyConfig;
import dev.spillway.gateway.config.TenantConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every configured key, found by the secret a caller presents. Bearer keys are stored as the SHA-256
 * of their secret, so the configuration never holds one; a presented secret is hashed and looked up.
 * Lookups are cached (Caffeine, bounded, expiring), so a client that reuses its key costs one hash
 * per minute rather than one per request; misses are cached too, so a flood of wrong keys costs no
 * more than a flood of right ones. The cache holds presented secrets in memory only.
 *
 * <p>AWS keys are found by access key id; their secrets are what a SigV4 verifier needs.
 *
 * <p>Thread-safe: called from every event loop.
 */
public final class KeyRing {

  /** Distinct presented secrets whose lookup is remembered. */
  static final int CACHE_SIZE = 10_000;

  static final Duration CACHE_TTL = Duration.ofMinutes(1);

  private final Map<String, ApiKey> bySha256;
  private final Map<String, AwsKey> byAccessKeyId;
  private final Cache<String, Optional<ApiKey>> cache;

  /** An AWS key: the caller's identity and the secret its signatures are made with. */
  public record AwsKey(ApiKey key, String secretAccessKey) {
    @Override
    public String toString() {
      return "AwsKey[" + key + ", secretAccessKey=<redacted>]";
    }
  }

  private KeyRing(Map<String, ApiKey> bySha256, Map<String, AwsKey> byAccessKeyId) {
    this.bySha256 = Map.copyOf(bySha256);
    this.byAccessKeyId = Map.copyOf(byAccessKeyId);
    this.cache =
        Caffeine.newBuilder().maximumSize(CACHE_SIZE).expireAfterWrite(CACHE_TTL).build();
  }

  /** The keys of {@code tenants} and of the operators. */
  public static KeyRing of(List<TenantConfig> tenants, AdminConfig admin) {
    requireNonNull(tenants, "tenants");
    requireNonNull(admin, "admin");
    Map<String, ApiKey> bySha256 = new HashMap<>();
    Map<String, AwsKey> byAccessKeyId = new HashMap<>();
    for (TenantConfig tenant : tenants) {
      for (KeyConfig key : tenant.keys()) {
        ApiKey identity = new ApiKey(key.id(), tenant.name(), false);
        key.sha256().ifPresent(h -> bySha256.put(h, identity));
        key.awsAccessKeyId()
            .ifPresent(a -> byAccessKeyId.put(a, new AwsKey(identity, key.awsSecretAccessKey().get())));
      }
    }
    for (KeyConfig key : admin.keys()) {
      bySha256.put(key.sha256().get(), new ApiKey(key.id(), "", true));
    }
    return new KeyRing(bySha256, byAccessKeyId);
  }

  /** The key whose secret is {@code secret}, if any. */
  public Optional<ApiKey> bearer(String secret) {
    requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    return cache.get(secret, s -> Optional.ofNullable(bySha256.get(sha256Hex(s))));
  }

  /** The AWS key with this access key id, for SigV4 verification. */
  public Optional<AwsKey> aws(String accessKeyId) {
    return Optional.ofNullable(byAccessKeyId.get(requireNonNull(accessKeyId, "accessKeyId")));
  }

  public boolean isEmpty() {
    return bySha256.isEmpty() && byAccessKeyId.isEmpty();
  }

  /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code secret}: what {@code sha256:} holds. */
  public static String sha256Hex(String secret) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256: not available (expected: in every JDK)", e);
    }
  }
}
