/**
 * The standalone emulator: one emulated pool served over HTTP in real time as an OpenAI-compatible
 * server, as its own process or pod.
 */
package dev.spillway.backends.server;
