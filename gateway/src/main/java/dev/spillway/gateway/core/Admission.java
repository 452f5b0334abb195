package dev.spillway.gateway.core;

/**
 * The handle of a submitted request. Cancelling it (the client went away) removes a queued request
 * silently — its listener hears nothing more — and stops a bound one, whose listener then receives
 * {@link GatewayListener#onFinish} with reason {@code CANCELLED} and the tokens generated so far.
 * Cancelling a finished request does nothing.
 */
@FunctionalInterface
public interface Admission {
  void cancel();
}
