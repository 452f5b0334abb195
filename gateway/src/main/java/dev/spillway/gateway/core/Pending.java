package dev.spillway.gateway.core;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Submission;
import dev.spillway.gateway.core.GatewayRequest.Slo;

/** A request inside the core: queued, then bound to a replica. */
final class Pending {
  final GatewayRequest request;
  final InferenceRequest inference;
  final GatewayListener listener;
  final Slo slo;
  final long admittedNanos;
  final long deadlineNanos;
  long enqueuedNanos;
  long boundNanos = -1;
  long firstTokenNanos = -1;
  long lastTokenNanos = -1;
  int attempts;
  boolean queued;
  boolean done;
  Submission submission;

  Pending(
      GatewayRequest request, InferenceRequest inference, GatewayListener listener, Slo slo,
      long admittedNanos, long deadlineNanos) {
    this.request = request;
    this.inference = inference;
    this.listener = listener;
    this.slo = slo;
    this.admittedNanos = admittedNanos;
    this.enqueuedNanos = admittedNanos;
    this.deadlineNanos = deadlineNanos;
  }
}
