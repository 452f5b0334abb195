/**
 * The only source of time and timers: real (Vert.x timers) or virtual (discrete events), so the same
 * engines and gateway core run live and in simulation; and the ways onto a clock
 * ({@link dev.spillway.backends.time.SerialExecutor}) and onto an event loop
 * ({@link dev.spillway.backends.time.ContextExecutor}) from other threads.
 */
package dev.spillway.backends.time;
