package dev.spillway.gateway.core.routing;

import static java.util.Objects.requireNonNull;

import dev.spillway.backends.spi.Replica;

/** A replica the router may pick, with the pool it belongs to. */
public record Candidate(String pool, Replica replica) {
  public Candidate {
    requireNonNull(pool, "pool");
    requireNonNull(replica, "replica");
  }
}
