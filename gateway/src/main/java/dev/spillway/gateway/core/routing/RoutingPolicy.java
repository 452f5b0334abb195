package dev.spillway.gateway.core.routing;

import java.util.List;

/** A stateless choice rule. It makes one {@link Selector} per model, which holds the state. */
public interface RoutingPolicy {

  /** The configuration name, e.g. {@code cheapest-within-slo}. */
  String name();

  /** A selector over {@code replicas}, every replica of one model. */
  Selector selector(List<Candidate> replicas);
}
