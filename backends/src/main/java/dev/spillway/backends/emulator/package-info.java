/**
 * Emulated accelerators: profiles as data, the latency model, the iteration-level engines and the
 * cost model behind the {@code emulated} backend kind.
 */
package dev.spillway.backends.emulator;
