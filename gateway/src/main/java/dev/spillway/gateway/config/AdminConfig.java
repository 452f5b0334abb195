package dev.spillway.gateway.config;

import java.util.List;

/** Who may call {@code /admin/*} when the gateway has keys: the operators' bearer keys. */
public record AdminConfig(List<KeyConfig> keys) {

  public static final AdminConfig NONE = new AdminConfig(List.of());

  public AdminConfig {
    keys = List.copyOf(keys);
    for (KeyConfig key : keys) {
      if (key.sha256().isEmpty()) {
        throw new IllegalArgumentException(
            "admin.keys: " + key.id() + " (expected: bearer keys with sha256)");
      }
    }
  }
}
