/**
 * The only source of time and timers: real (Vert.x timers) or virtual (discrete events), so the same
 * engines and gateway core run live and in simulation.
 */
package dev.spillway.backends.time;
