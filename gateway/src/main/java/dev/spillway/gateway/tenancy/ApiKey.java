package dev.spillway.gateway.tenancy;

import static java.util.Objects.requireNonNull;

/**
 * Who presented a key: the key's public id and its tenant. Never holds the secret.
 *
 * @param id the key's id from the configuration, e.g. {@code acme-ci}
 * @param tenant the tenant's name; empty for an operator's (admin) key
 */
public record ApiKey(String id, String tenant, boolean admin) {

  public ApiKey {
    requireNonNull(id, "id");
    requireNonNull(tenant, "tenant");
  }
}
