/**
 * The fleet planner: for a workload (a real trace, or distributions) and per-tier SLOs, the cheapest
 * fleet of candidate accelerators, and the routing policy, that meets every tier's attainment target,
 * found by search over the simulator and confirmed by a verification run.
 */
package dev.spillway.loadtest.plan;
