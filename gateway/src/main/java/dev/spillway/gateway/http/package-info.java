/**
 * The gateway's Vert.x HTTP server: routes (OpenAI's and Bedrock Runtime's), body limits, request
 * ids, SSE and event-stream writing with the first bytes held until the first token, the mapping of
 * core errors to statuses and retry headers, and the transport that adds cleartext HTTP/2.
 */
package dev.spillway.gateway.http;
