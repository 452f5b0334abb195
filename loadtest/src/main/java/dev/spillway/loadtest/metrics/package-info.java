/**
 * What a run measured: {@link dev.spillway.loadtest.metrics.RequestRecord}s in,
 * {@link dev.spillway.loadtest.metrics.Summary} and {@link dev.spillway.loadtest.metrics.TimeSeries} out,
 * with vLLM {@code benchmark_serving}'s metric definitions. Pure functions of the records: no clock, no
 * I/O.
 */
package dev.spillway.loadtest.metrics;
