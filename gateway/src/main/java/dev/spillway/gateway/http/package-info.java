/**
 * The gateway's Vert.x HTTP server: routes, body limits, request ids, SSE writing with the first
 * chunk held until the first token, and the mapping of core errors to statuses and retry headers.
 */
package dev.spillway.gateway.http;
