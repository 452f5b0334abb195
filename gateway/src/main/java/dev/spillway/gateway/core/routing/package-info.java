/**
 * Routing policies: immutable rules that make stateful selectors over a model's replicas, as Vert.x's
 * {@code LoadBalancer} makes a {@code ServerSelector}.
 */
package dev.spillway.gateway.core.routing;
