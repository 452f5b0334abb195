/**
 * What a load test sends and when: arrival processes, length distributions, mixes and prompt text,
 * turned by a seeded {@link dev.spillway.loadtest.workload.Workload} into a deterministic schedule of
 * {@link dev.spillway.loadtest.workload.PlannedRequest}s. No HTTP and no clock: the live driver and the
 * virtual-time simulator consume the same schedule.
 */
package dev.spillway.loadtest.workload;
