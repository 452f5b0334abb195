/** Reading the loadtest's YAML input files, with every error naming its field. */
package dev.spillway.loadtest.yaml;
