/**
 * The gateway's core: per-model flow control, routing policies, late binding and batching, driven by
 * the clock and free of HTTP types so the simulator can run it on a virtual clock.
 */
package dev.spillway.gateway.core;
