/**
 * The virtual-time simulator: the gateway's own core (flow control, router, batcher) over emulated
 * engines on a discrete-event clock, in-process, producing the same request records as a live run.
 */
package dev.spillway.loadtest.sim;
