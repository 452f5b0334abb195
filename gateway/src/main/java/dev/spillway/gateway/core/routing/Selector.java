package dev.spillway.gateway.core.routing;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import java.util.List;

/** Picks one replica for a request; single-threaded, holds the policy's state. */
public interface Selector {

  /**
   * Picks from {@code available}: the replicas that have capacity now (late binding). Returns null
   * when {@code available} is empty.
   */
  Candidate select(InferenceRequest request, Slo slo, List<Candidate> available);
}
