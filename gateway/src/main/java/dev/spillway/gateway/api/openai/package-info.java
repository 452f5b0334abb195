/**
 * OpenAI wire format: parses and validates {@code /v1/chat/completions}, {@code /v1/completions} and
 * {@code /v1/embeddings} bodies into core requests, and writes bodies, SSE chunks, model lists and
 * error objects; free of Vert.x HTTP types.
 */
package dev.spillway.gateway.api.openai;
