/**
 * Tenancy: tenants and their API keys, the requests-per-minute, tokens-per-minute and budget limits
 * they are held to, and the store that keeps those limits — in memory or in Redis, shared by every
 * gateway replica. No HTTP types: the http package reads keys from headers and renders the answers.
 */
package dev.spillway.gateway.tenancy;
