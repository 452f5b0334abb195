/**
 * Routing experiments in virtual time: one YAML file names a workload, routing policies, rates and a
 * fleet; every policy runs at every rate through the simulator, next to an equal-cost
 * single-accelerator baseline, and the results are written as JSON, Markdown, SVG plots and HTML.
 */
package dev.spillway.loadtest.experiment;
