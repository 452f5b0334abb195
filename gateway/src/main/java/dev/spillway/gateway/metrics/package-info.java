/**
 * What the gateway measures: the {@link dev.spillway.gateway.metrics.GatewayMetrics} interface it
 * records through, and its Prometheus implementation, the only code that imports Prometheus.
 */
package dev.spillway.gateway.metrics;
