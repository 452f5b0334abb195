/**
 * The only source of time and timers: real (Vert.x timers) or virtual (discrete events), so the same
 * engines and gateway core run live and in simulation; and the way onto a clock's thread from others.
 */
package dev.spillway.backends.time;
