package dev.spillway.gateway.core;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;
import dev.spillway.backends.spi.TokenEvent;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Test-side access to a {@link FlowController} and the requests it queues, for the benchmarks in
 * {@code gateway.bench}: the controller and {@link Pending} are package-private.
 */
public final class FlowControllerHarness {

  private static final GatewayListener IGNORED =
      new GatewayListener() {
        @Override
        public void onBound(Binding binding) {}

        @Override
        public void onToken(TokenEvent.Token token) {}

        @Override
        public void onFinish(TokenEvent.Finish finish, Binding binding) {}

        @Override
        public void onError(GatewayError error) {}
      };

  private final FlowController flow;

  /** A controller holding up to {@code capacity} requests in every tier. */
  public FlowControllerHarness(int capacity) {
    Map<ServiceTier, Integer> capacities = new EnumMap<>(ServiceTier.class);
    for (ServiceTier tier : ServiceTier.values()) {
      capacities.put(tier, capacity);
    }
    this.flow = new FlowController(capacities);
  }

  /** A request of {@code tenant} in {@code tier}, ready to offer; its deadline is {@code deadlineNanos}. */
  public static Object request(String id, ServiceTier tier, String tenant, long deadlineNanos) {
    GatewayRequest request =
        new GatewayRequest(
            id, "m", 500, 100, "", 0, SamplingParams.DEFAULT, tier, tenant, Optional.empty(), false);
    InferenceRequest inference = InferenceRequest.of(id, "m", 500, 100).withTier(tier);
    return new Pending(request, inference, IGNORED, null, 0, deadlineNanos);
  }

  public boolean offer(Object request) {
    return flow.offer((Pending) request);
  }

  /** The request served next, removed, or null when empty. */
  public Object poll() {
    return flow.poll();
  }

  public boolean remove(Object request) {
    return flow.remove((Pending) request);
  }

  public int size() {
    return flow.size();
  }
}
