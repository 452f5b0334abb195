package dev.spillway.gateway.core;

import dev.spillway.backends.spi.InferenceRequest;
import dev.spillway.backends.spi.Submission;
import dev.spillway.gateway.core.GatewayRequest.Slo;
import java.util.BitSet;

/**
 * A request inside the core: queued, then bound to a replica. Made on the request's home thread; from
 * then on its mutable fields belong to the model's clock (the scheduler), which hands it to the home
 * thread again only through the listener's executor.
 */
final class Pending {
  final GatewayRequest request;
  final InferenceRequest inference;
  final GatewayListener listener;
  final Slo slo;
  final long admittedNanos;
  final long deadlineNanos;
  /** Its key in the model's response cache, set before the request leaves its home; null if not cached. */
  ResponseCache.Key cacheKey;
  long enqueuedNanos;
  /** Attempts so far, on every model it ran on (the x-spillway-attempts count). */
  int attempts;
  /** Attempts it had made on other models before it came to this one (a fallback). */
  int attemptsBefore;
  /** The models left to fall back to, in order; they belong to other threads (see {@link ModelScheduler}). */
  java.util.List<ModelScheduler> fallbacks = java.util.List.of();
  /** The request as the fallback model took it over, once it did, and that model: cancels go there. */
  Pending fellBackTo;
  ModelScheduler fallbackScheduler;
  /** The candidates (by the scheduler's index) its failed attempts ran on; null before a retry. */
  BitSet tried;
  boolean queued;
  /** Expired in the queue, or cancelled while queued: it will never be bound again. */
  boolean done;
  /** The client went away. */
  boolean cancelled;
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
