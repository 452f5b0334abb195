/** Gateway configuration: one YAML file mapped to immutable records and validated once. */
package dev.spillway.gateway.config;
