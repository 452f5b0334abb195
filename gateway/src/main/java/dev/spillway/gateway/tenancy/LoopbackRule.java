package dev.spillway.gateway.tenancy;

import dev.spillway.gateway.config.GatewayConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An open gateway — one without tenants and keys — serves anyone who can reach it, so it may only
 * listen on a loopback address. Listening anywhere else needs keys.
 */
public final class LoopbackRule {

  private LoopbackRule() {}

  /** Throws {@link IllegalArgumentException}, saying why, when {@code config} is open and not on loopback. */
  public static void check(GatewayConfig config) {
    if (config.keyed()) {
      return;
    }
    String host = config.server().host();
    if (!isLoopback(host)) {
      throw new IllegalArgumentException(
          "server.host: " + host + " (expected: a loopback address such as 127.0.0.1, since no"
              + " tenants are configured: without API keys the gateway serves anyone who reaches it;"
              + " configure tenants with keys to listen on other addresses)");
    }
  }

  /** Whether {@code host} names only loopback addresses; {@code 0.0.0.0} and {@code ::} do not. */
  static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress address : all) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
