/**
 * Structured output for the emulated models: the subset of JSON Schema they support, the check that
 * names what lies outside it, and JSON instances generated from a schema and split into tokens.
 */
package dev.spillway.backends.structured;
