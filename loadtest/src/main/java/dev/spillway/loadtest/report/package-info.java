/**
 * A run's outputs: {@code summary.json} (vLLM's bench field names), {@code requests.csv}, a
 * self-contained {@code report.html} with inline SVG charts, and the text table printed at the end.
 * Pure functions of a {@link dev.spillway.loadtest.metrics.Summary} and the records.
 */
package dev.spillway.loadtest.report;
