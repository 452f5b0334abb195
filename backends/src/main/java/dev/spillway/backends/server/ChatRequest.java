package dev.spillway.backends.server;

import dev.spillway.backends.spi.OutputSpec;
import dev.spillway.backends.spi.SamplingParams;
import dev.spillway.backends.spi.ServiceTier;

/**
 * A parsed {@code POST /v1/chat/completions} body: what the emulator needs of it.
 *
 * @param model the model the client asked for, echoed in the response
 * @param prompt the message contents joined by newlines; seeds the generated text when no seed is given
 * @param promptTokens the estimated prompt length (see {@link ChatCodec})
 * @param maxOutputTokens {@code max_completion_tokens}, else {@code max_tokens}, else 256
 * @param includeUsage {@code stream_options.include_usage}
 * @param tenant {@code user}, or {@code default}
 * @param output what the answer is to be: text, JSON or tool calls
 */
record ChatRequest(
    String model,
    String prompt,
    int promptTokens,
    int maxOutputTokens,
    boolean stream,
    boolean includeUsage,
    SamplingParams sampling,
    ServiceTier tier,
    String tenant,
    OutputSpec output) {}
