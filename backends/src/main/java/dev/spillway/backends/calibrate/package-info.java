/**
 * Reproduces published serving measurements on the emulated engines (virtual clock, closed-loop
 * clients) and fits the stacks' efficiency factors to them.
 */
package dev.spillway.backends.calibrate;
